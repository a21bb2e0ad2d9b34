/** Resources a system container may use; LXD enforces them through cgroups. */
export interface ContainerLimits {
    /** CPUs: a count ("2") or a set ("0-1"); default: unlimited. */
    cpu?: string;
    /** Memory: an LXD size ("2GiB") or a share of the host ("50%"); default: unlimited. */
    memory?: string;
    /** Processes inside the container; default 2000, which keeps a fork bomb in one container. */
    processes?: number;
}

/**
 * The config of a profile for BCM's system containers, which run dockerd: unprivileged
 * (the seed ran them privileged; root in them is not root on the host here), with
 * `security.nesting` so Docker can create its own namespaces, and resource limits.
 */
export function dockerHostProfileConfig(limits: ContainerLimits = {}): Record<string, string> {
    const processes = limits.processes ?? 2000;
    if (!Number.isInteger(processes) || processes < 1) {
        throw new Error(`limits.processes ${processes}: give a whole number of at least 1`);
    }
    const config: Record<string, string> = {
        "security.privileged": "false",
        "security.nesting": "true",
        "limits.processes": String(processes),
    };
    if (limits.cpu !== undefined) {
        if (!/^(\d+|\d+(-\d+)?(,\d+(-\d+)?)*)$/.test(limits.cpu)) {
            throw new Error(`limits.cpu "${limits.cpu}": give a CPU count such as "2" or a set such as "0-1"`);
        }
        config["limits.cpu"] = limits.cpu;
    }
    if (limits.memory !== undefined) {
        if (!/^(\d+(\.\d+)?(B|kB|MB|GB|TB|KiB|MiB|GiB|TiB)|\d{1,3}%)$/.test(limits.memory)) {
            throw new Error(`limits.memory "${limits.memory}": give a size such as "2GiB" or a share such as "50%"`);
        }
        config["limits.memory"] = limits.memory;
    }
    return config;
}
