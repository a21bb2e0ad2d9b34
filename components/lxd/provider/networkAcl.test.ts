import fc from "fast-check";
import { diffNetworkAcl } from "./diff";
import { AclRule, checkRules, networkAclHandler, ruleFromWire, ruleToWire } from "./networkAcl";
import { Checker } from "./validate";

const check = (rules: unknown) => {
    const c = new Checker({});
    const out = checkRules(c, "egress", rules);
    return { out, reasons: c.failures.map((f) => f.reason) };
};

describe("network ACL rules", () => {
    it("are checked in one pass, each wrong field named by its index, with the fix", () => {
        const { reasons } = check([
            { action: "allow", destination: "10.0.0.2-10.0.0.255" },
            { action: "permit", destinationPort: "53" },
            { action: "reject", port: "1" },
            "allow all",
            { action: "drop", protocol: "udp", destinationPort: 53 },
        ]);
        expect(reasons).toEqual([
            'egress[1].action: "permit" is not one of allow, reject, drop',
            'egress[1].protocol: ports need protocol "tcp" or "udp"',
            "egress[2].port: unknown field; a rule has action, source, destination, protocol, sourcePort, destinationPort, icmpType, icmpCode, description, state",
            'egress[3]: must be a rule like { action: "allow", destination: "10.0.0.0/24" }, got "allow all"',
            "egress[4].destinationPort: must be a string, got 53",
        ]);
        expect(check({ action: "allow" }).reasons).toEqual(['egress: must be a list of rules like { action: "allow", destination: "10.0.0.0/24" }, got {"action":"allow"}']);
        expect(check([{ source: "10.0.0.1" }]).reasons).toEqual(["egress[0].action: is required: one of allow, reject, drop"]);
    });

    it("read back from LXD compare equal to what was written (state filled, empty fields dropped, LXD's names mapped)", () => {
        const written = check([{ action: "allow", protocol: "udp", destination: "10.0.0.1", destinationPort: "53,67", source: "" }]).out as AclRule[];
        expect(written).toEqual([{ action: "allow", protocol: "udp", destination: "10.0.0.1", destinationPort: "53,67", state: "enabled" }]);
        const wire = ruleToWire(written[0]);
        expect(wire).toEqual({ action: "allow", protocol: "udp", destination: "10.0.0.1", destination_port: "53,67", state: "enabled" });
        // LXD shows every field, the unset ones empty.
        const shown = { action: "allow", source: "", destination: "10.0.0.1", protocol: "udp", source_port: "", destination_port: "53,67", icmp_type: "", icmp_code: "", description: "", state: "enabled" };
        expect(ruleFromWire(shown)).toEqual(written[0]);
    });

    it("round-trip through LXD's form unchanged, for any rule", () => {
        const text = fc.stringMatching(/^[a-z0-9.,/-]{1,12}$/);
        const rule = fc.record(
            {
                action: fc.constantFrom("allow", "reject", "drop"),
                source: text,
                destination: text,
                protocol: fc.constantFrom("tcp", "udp", "icmp4", "icmp6"),
                sourcePort: text,
                destinationPort: text,
                icmpType: text,
                icmpCode: text,
                description: text,
                state: fc.constantFrom("enabled", "disabled", "logged"),
            },
            { requiredKeys: ["action", "state"] },
        );
        fc.assert(fc.property(rule, (r) => expect(ruleFromWire(ruleToWire(r as AclRule))).toEqual(r)));
    });

    it("changed or reordered are an update; a new name is a new ACL", () => {
        const olds = { name: "bcm-tiers", description: "", egress: [{ action: "allow", source: "10.0.0.254", state: "enabled" }, { action: "allow", destination: "10.0.0.2-10.0.0.255", state: "enabled" }], ingress: [], config: {}, endpoint: {} };
        expect(diffNetworkAcl(olds, { ...olds })).toEqual({ replaces: [], updates: [], deleteBeforeReplace: false });
        expect(diffNetworkAcl(olds, { ...olds, egress: [...olds.egress].reverse() }).updates).toEqual(["egress"]);
        expect(diffNetworkAcl(olds, { ...olds, name: "bcm-other" }).replaces).toEqual(["name"]);
    });

    it("name must be LXD's kind of ACL name", async () => {
        const { failures } = await networkAclHandler.check("urn:pulumi:s::p::lxd:index:NetworkAcl::a", {}, { name: "1-bad-" });
        expect(failures.map((f) => f.reason)).toEqual(['name: "1-bad-" is not valid: letters, digits and \'-\', at most 63, starting with a letter']);
    });
});
