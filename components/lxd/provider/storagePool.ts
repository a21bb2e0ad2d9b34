import { diffStoragePool, mergeConfigForPut, poolServerKey } from "./diff";
import { namedObjectHandler } from "./namedObject";
import { objectNamePattern } from "./validate";

/**
 * lxd:index:StoragePool: where instances' disks live (dir and btrfs on BCM hosts). The
 * driver records `source` and `size` itself; a `source` the program changes is a new pool,
 * since LXD cannot move one.
 */
export const storagePoolHandler = namedObjectHandler({
    kind: "storage pool",
    collection: "/1.0/storage-pools",
    check(c) {
        return {
            name: c.string("name", { required: true, pattern: objectNamePattern, hint: "no slashes or spaces, at most 63 characters" }),
            driver: c.choice("driver", ["dir", "btrfs", "lvm", "zfs", "ceph", "cephfs"] as const, "dir"),
            description: c.string("description") ?? "",
            config: c.configMap("config"),
        };
    },
    diff: diffStoragePool,
    createBody: (i) => ({ name: i.name, driver: i.driver, description: i.description, config: i.config }),
    putBody: (live, i) => ({
        description: i.description,
        config: mergeConfigForPut(live.config, i.config as Record<string, string>, poolServerKey),
    }),
    outputs: (live) => ({
        name: live.name,
        driver: live.driver,
        description: live.description,
        config: live.config,
        status: live.status,
        usedBy: live.used_by ?? [],
    }),
    deleteHint: "delete the instances and volumes on it first",
});
