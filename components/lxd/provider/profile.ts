import { diffProfile } from "./diff";
import { namedObjectHandler } from "./namedObject";
import { autoName, urnName } from "./naming";
import { objectNamePattern } from "./validate";

/**
 * lxd:index:Profile: config and devices shared by instances. A new name is a new profile
 * (created before the old one is deleted, so instances can move over in between).
 */
export const profileHandler = namedObjectHandler({
    kind: "profile",
    collection: "/1.0/profiles",
    check(c, urn, olds) {
        const given = c.string("name", { pattern: objectNamePattern, hint: "no slashes or spaces, at most 63 characters" });
        if (given === "default") {
            c.fail("name", 'the "default" profile exists on every server and cannot be created; use another name');
        }
        return {
            name: given ?? (typeof olds.name === "string" ? olds.name : autoName(urnName(urn))),
            description: c.string("description") ?? "",
            config: c.configMap("config"),
            devices: c.devices("devices"),
        };
    },
    diff: diffProfile,
    createBody: (i) => ({ name: i.name, description: i.description, config: i.config, devices: i.devices }),
    putBody: (_live, i) => ({ description: i.description, config: i.config, devices: i.devices }),
    outputs: (live) => ({
        name: live.name,
        description: live.description,
        config: live.config,
        devices: live.devices,
        usedBy: live.used_by ?? [],
    }),
    deleteHint: "take it out of every instance's profiles first",
});
