import fc from "fast-check";
import { SpecError } from "../../components/datacenter/spec";
import { checkTierName, configChanges, tiersAfter } from "./stackOperations";

describe("tiers of a cluster", () => {
    const tier = fc.stringMatching(/^[a-z][a-z0-9]{0,15}$/);

    it("deploying a tier brings the gateway and keeps what is there", () => {
        fc.assert(
            fc.property(fc.dictionary(tier, fc.constant({})), tier, (current, t) => {
                const next = tiersAfter(current, "deploy", t)!;
                expect(Object.keys(next)).toEqual(expect.arrayContaining(["gateway", t, ...Object.keys(current)]));
                expect(Object.keys(next).length).toBe(new Set(["gateway", t, ...Object.keys(current)]).size);
            }),
        );
        expect(tiersAfter({ kafka: { first: 3 } }, "deploy", "kafka")).toEqual({ gateway: {}, kafka: { first: 3 } });
    });

    it("removes a tier; the gateway only last, and then the data center is gone", () => {
        expect(tiersAfter({ gateway: {}, apps: {} }, "remove", "apps")).toEqual({ gateway: {} });
        expect(tiersAfter({ gateway: {} }, "remove", "gateway")).toBeUndefined();
        expect(() => tiersAfter({ gateway: {}, apps: {} }, "remove", "gateway")).toThrow(/tier gateway carries apps: remove those first/);
        expect(() => tiersAfter({ gateway: {} }, "remove", "kafka")).toThrow(/tier kafka is not deployed on this cluster \(deployed: gateway\)/);
    });

    it("refuses bad tier names before any engine starts", () => {
        for (const bad of ["", "Gateway", "9x", "a-b", "x".repeat(17)]) {
            expect(() => checkTierName(bad)).toThrow(SpecError);
        }
    });
});

describe("config changes of a tier deploy", () => {
    const config = fc.dictionary(fc.constantFrom("bcm:tiers", "bcm:tor", "bcm:chain", "bcm:rpcPassword", "bcm:apiToken", "bcm:dockerSocketDir"), fc.string());

    it("writes only what differs, keeps secret keys secret, and turns one config into the other", () => {
        fc.assert(
            fc.property(config, config, fc.subarray(["bcm:rpcPassword", "bcm:apiToken", "bcm:tor"]), (from, to, secrets) => {
                const secretKeys = new Set(secrets);
                const changes = configChanges(from, to, secretKeys);
                const result = { ...from };
                for (const c of changes) {
                    if ("remove" in c) delete result[c.key];
                    else {
                        // A value that stays the same is never written again (it would travel on a command line).
                        expect(from[c.key]).not.toBe(c.value);
                        expect(c.secret).toBe(secretKeys.has(c.key));
                        result[c.key] = c.value;
                    }
                }
                expect(result).toEqual(to);
            }),
        );
    });

    it("leaves an unchanged secret alone when only the tiers change", () => {
        const before = { "bcm:tiers": '{"gateway":{}}', "bcm:rpcPassword": "hunter2" };
        const after = { ...before, "bcm:tiers": '{"gateway":{},"kafka":{}}' };
        expect(configChanges(before, after, new Set(["bcm:rpcPassword"]))).toEqual([{ key: "bcm:tiers", value: '{"gateway":{},"kafka":{}}', secret: false }]);
    });
});
