import fc from "fast-check";
import { describePendingOperations, pendingOperations, withoutPendingOperations } from "./pendingOperations";
import { stateDirOf } from "./recovery";

const op = (type: string, name: string, rtype = "docker:index/service:Service") => ({
    type,
    resource: { urn: `urn:pulumi:standalone::bcm::bcm:gateway:GatewayTier$${rtype}::${name}`, type: rtype, custom: true },
});

describe("pending operations left by a killed run", () => {
    const deployment = {
        manifest: { time: "t" },
        secrets_providers: { type: "passphrase" },
        resources: [{ urn: "urn:pulumi:standalone::bcm::pulumi:pulumi:Stack::bcm-standalone", type: "pulumi:pulumi:Stack" }],
        pending_operations: [op("creating", "registry"), op("updating", "tor")],
    };

    it("lists them with their operation, type and URN", () => {
        expect(pendingOperations(deployment)).toEqual([
            { type: "creating", urn: deployment.pending_operations[0].resource.urn, resourceType: "docker:index/service:Service" },
            { type: "updating", urn: deployment.pending_operations[1].resource.urn, resourceType: "docker:index/service:Service" },
        ]);
        expect(pendingOperations({ resources: [] })).toEqual([]);
        expect(pendingOperations(undefined)).toEqual([]);
    });

    it("drops them and keeps everything else of the deployment as it was", () => {
        fc.assert(
            fc.property(fc.dictionary(fc.string().filter((k) => k !== "pending_operations" && k !== "__proto__"), fc.jsonValue()), fc.array(fc.constantFrom("creating", "updating", "deleting", "reading")), (rest, types) => {
                const d = { ...rest, pending_operations: types.map((t, i) => op(t, `r${i}`)) };
                const after = withoutPendingOperations(d);
                expect(after).toEqual(rest);
                expect(pendingOperations(after)).toEqual([]);
                // The input is not changed: the caller may still need it.
                expect(d.pending_operations).toHaveLength(types.length);
            }),
        );
    });

    it("says what was dropped in one line, naming at most four", () => {
        const ops = pendingOperations({ pending_operations: [op("creating", "a"), op("creating", "b"), op("deleting", "c"), op("updating", "d"), op("reading", "e", "lxd:index:Instance")] });
        const line = describePendingOperations("standalone", ops);
        expect(line).toBe(
            "stack standalone: 5 operation(s) interrupted by an earlier run (creating docker:index/service:Service a, creating docker:index/service:Service b, " +
                "deleting docker:index/service:Service c, updating docker:index/service:Service d and 1 more) dropped from the state; this run does them again",
        );
    });

    it("finds the state directory of a file backend only", () => {
        expect(stateDirOf("file:///root/.bcm/state")).toBe("/root/.bcm/state");
        expect(stateDirOf("file:///tmp/a%20b")).toBe("/tmp/a b");
        expect(stateDirOf("s3://bucket")).toBeUndefined();
        expect(stateDirOf(undefined)).toBeUndefined();
    });
});
