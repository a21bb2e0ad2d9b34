import { diffNetworkAcl } from "./diff";
import { claimOf } from "./identity";
import { namedObjectHandler } from "./namedObject";
import { isUnknown } from "./rpc";
import { Checker } from "./validate";

/** One rule as the program writes it (camelCase, LXD's snake_case on the wire). */
export interface AclRule {
    action: "allow" | "reject" | "drop";
    source?: string;
    destination?: string;
    protocol?: "tcp" | "udp" | "icmp4" | "icmp6";
    sourcePort?: string;
    destinationPort?: string;
    icmpType?: string;
    icmpCode?: string;
    description?: string;
    state: "enabled" | "disabled" | "logged";
}

const wireNames: Record<string, string> = { sourcePort: "source_port", destinationPort: "destination_port", icmpType: "icmp_type", icmpCode: "icmp_code" };
const ruleFields = ["action", "source", "destination", "protocol", "sourcePort", "destinationPort", "icmpType", "icmpCode", "description", "state"];

/** ACL names: letters, digits and dashes, at most 63, starting with a letter, not ending with a dash (LXD's rule). */
export const aclNamePattern = /^[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** A rule as LXD takes it. */
export function ruleToWire(r: AclRule): Record<string, string> {
    return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => [wireNames[k] ?? k, String(v)]));
}

/** A rule as LXD shows it, in the program's form (empty fields dropped, so it compares with what was written). */
export function ruleFromWire(w: Record<string, unknown>): AclRule {
    const back = Object.fromEntries(Object.entries(wireNames).map(([k, v]) => [v, k]));
    return Object.fromEntries(
        Object.entries(w)
            .filter(([, v]) => typeof v === "string" && v !== "")
            .map(([k, v]) => [back[k] ?? k, v]),
    ) as unknown as AclRule;
}

/** Checks a rule list, naming every wrong field by its index; fills `state: "enabled"`. */
export function checkRules(c: Checker, key: string, value: unknown): AclRule[] | string {
    if (value === undefined || value === null) return [];
    if (isUnknown(value)) return value as string;
    if (!Array.isArray(value)) {
        c.fail(key, `must be a list of rules like { action: "allow", destination: "10.0.0.0/24" }, got ${JSON.stringify(value)}`);
        return [];
    }
    return value.map((raw, i) => {
        const at = `${key}[${i}]`;
        if (isUnknown(raw)) return raw as AclRule;
        if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
            c.fail(at, `must be a rule like { action: "allow", destination: "10.0.0.0/24" }, got ${JSON.stringify(raw)}`);
            return { action: "reject", state: "enabled" };
        }
        const r = raw as Record<string, unknown>;
        for (const k of Object.keys(r)) {
            if (!ruleFields.includes(k)) c.fail(`${at}.${k}`, `unknown field; a rule has ${ruleFields.join(", ")}`);
            else if (!isUnknown(r[k]) && typeof r[k] !== "string") c.fail(`${at}.${k}`, `must be a string, got ${JSON.stringify(r[k])}`);
        }
        const oneOf = (k: string, choices: string[], required = false) => {
            const v = r[k];
            if (v === undefined) {
                if (required) c.fail(`${at}.${k}`, `is required: one of ${choices.join(", ")}`);
            } else if (!isUnknown(v) && !choices.includes(v as string)) c.fail(`${at}.${k}`, `"${String(v)}" is not one of ${choices.join(", ")}`);
        };
        oneOf("action", ["allow", "reject", "drop"], true);
        oneOf("protocol", ["tcp", "udp", "icmp4", "icmp6"]);
        oneOf("state", ["enabled", "disabled", "logged"]);
        if ((r.sourcePort !== undefined || r.destinationPort !== undefined) && r.protocol !== "tcp" && r.protocol !== "udp") {
            c.fail(`${at}.protocol`, 'ports need protocol "tcp" or "udp"');
        }
        // Empty fields are no fields (LXD shows them so), so what was written compares with what is read back.
        const given = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== ""));
        return { ...given, state: (given.state as AclRule["state"]) ?? "enabled" } as AclRule;
    });
}

/**
 * lxd:index:NetworkAcl: traffic rules LXD applies to a network (`security.acls` on the
 * network; LXD 5.0 takes no ACL on a bridged NIC), with its nftables driver in the
 * host's input, output and forward hooks, so also between containers on one bridge when
 * br_netfilter is loaded (Docker loads it). Rules are kept in the order written, but LXD
 * applies every reject and drop rule before any allow rule (so an allow cannot make an
 * exception to a reject), after letting established connections' packets through; what no
 * rule matches gets the network's default action.
 */
export const networkAclHandler = namedObjectHandler({
    kind: "network ACL",
    collection: "/1.0/network-acls",
    check(c, _urn, _olds, news) {
        return {
            name: c.string("name", { required: true, pattern: aclNamePattern, hint: "letters, digits and '-', at most 63, starting with a letter" }),
            description: c.string("description") ?? "",
            egress: checkRules(c, "egress", news.egress),
            ingress: checkRules(c, "ingress", news.ingress),
            config: c.configMap("config"),
        };
    },
    diff: diffNetworkAcl,
    // A killed run's create left it unrecorded: this cluster's is taken over, anything else refused.
    adopt: (live, inputs) => claimOf(live.config, inputs.config).kind === "ours",
    createBody: (i) => ({
        name: i.name,
        description: i.description,
        egress: (i.egress as AclRule[]).map(ruleToWire),
        ingress: (i.ingress as AclRule[]).map(ruleToWire),
        config: i.config,
    }),
    putBody: (_live, i) => ({
        description: i.description,
        egress: (i.egress as AclRule[]).map(ruleToWire),
        ingress: (i.ingress as AclRule[]).map(ruleToWire),
        config: i.config,
    }),
    outputs: (live) => ({
        name: live.name,
        description: live.description,
        egress: ((live.egress as Record<string, unknown>[] | null) ?? []).map(ruleFromWire),
        ingress: ((live.ingress as Record<string, unknown>[] | null) ?? []).map(ruleFromWire),
        config: live.config,
        usedBy: live.used_by ?? [],
    }),
    deleteHint: "take it out of every network's security.acls first",
});
