import { diffNetwork, mergeConfigForPut, networkServerKey, networkValueMatches } from "./diff";
import { namedObjectHandler } from "./namedObject";
import { networkNamePattern } from "./validate";

/**
 * lxd:index:Network: a managed network, normally a bridge. LXD picks addresses and NAT when
 * the config leaves them out; those choices are kept on every update and never shown as
 * changes.
 */
export const networkHandler = namedObjectHandler({
    kind: "network",
    collection: "/1.0/networks",
    check(c) {
        return {
            name: c.string("name", {
                required: true,
                pattern: networkNamePattern,
                hint: "it becomes a host interface name: at most 15 letters, digits, '-', '_' or '.'",
            }),
            type: c.choice("type", ["bridge", "macvlan", "sriov", "ovn", "physical"] as const, "bridge"),
            description: c.string("description") ?? "",
            config: c.configMap("config"),
        };
    },
    diff: diffNetwork,
    createBody: (i) => ({ name: i.name, type: i.type, description: i.description, config: i.config }),
    putBody: (live, i) => ({
        description: i.description,
        config: mergeConfigForPut(live.config, i.config as Record<string, string>, networkServerKey, networkValueMatches),
    }),
    outputs: (live) => ({
        name: live.name,
        type: live.type,
        description: live.description,
        config: live.config,
        managed: live.managed,
        status: live.status,
        usedBy: live.used_by ?? [],
    }),
    deleteHint: "detach it from every instance and profile first",
});
