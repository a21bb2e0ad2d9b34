import { diffProfile } from "./diff";
import { claimOf } from "./identity";
import { LiveObject, namedObjectHandler } from "./namedObject";
import { autoName, urnName } from "./naming";
import { objectNamePattern } from "./validate";

/**
 * A profile that already exists is taken over (then updated to the inputs) when it is this
 * cluster's: its config carries the inputs' `user.bcm.cluster`, or, for one made before
 * profiles carried it, its description is exactly the inputs' (BCM's names the cluster). A
 * run killed after the profile's create leaves it unrecorded, and it holds nothing but
 * what the inputs set again. Anything else is refused.
 */
export function adoptProfile(live: LiveObject, inputs: Record<string, unknown>): boolean {
    const claim = claimOf(live.config, inputs.config);
    if (claim.kind !== "unmarked") return claim.kind === "ours";
    return typeof inputs.description === "string" && inputs.description !== "" && live.description === inputs.description;
}

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
    adopt: adoptProfile,
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
