// The ways an LXD instance or profile can hand a container the host, as pure functions of
// plain values: the policy pack's no-privileged-containers rule and the endpoint spec
// (components/datacenter/spec.ts, before anything is registered) both use them.

/** LXD's own reading of a boolean config value (shared.IsTrue): 1, true, yes, on. */
export function lxdTrue(value: string): boolean {
    return ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());
}

/** Device types that pass host hardware or device nodes in. */
export const forbiddenDeviceTypes = ["unix-char", "unix-block", "unix-hotplug", "usb", "gpu", "pci"] as const;

/**
 * What is wrong with one config key and its value, or undefined when it is harmless. A value
 * of `undefined` means "not known yet" (computed during preview): a key whose harm depends on
 * its value is refused then too.
 */
export function configKeyProblem(key: string, value: string | undefined): { problem: string; fix: string } | undefined {
    const k = key.trim().toLowerCase();
    if (k.startsWith("raw.")) {
        return {
            problem: `sets config ${key}: raw LXC, AppArmor, seccomp and idmap settings bypass every LXD safeguard (raw.idmap "both 0 0" makes container root host root)`,
            fix: `remove config "${key}"`,
        };
    }
    if (k === "security.privileged" && (value === undefined || lxdTrue(value))) {
        return {
            problem: `sets config security.privileged=${value ?? "<computed>"}: root in a privileged container is root on the host`,
            fix: 'remove config "security.privileged" (unprivileged is the default; BCM tiers need only security.nesting="true" to run Docker)',
        };
    }
    if (k === "security.idmap.isolated" && (value === undefined || !lxdTrue(value))) {
        return {
            problem: `sets config security.idmap.isolated=${value ?? "<computed>"}: it would undo an isolated id map and share host ids with other containers`,
            fix: 'remove config "security.idmap.isolated" or set it to "true"',
        };
    }
    return undefined;
}

/** Whether `p` is one of `roots` or inside one (both normalised; no `..` escapes). */
export function insideAny(p: string, roots: readonly string[]): boolean {
    const norm = normalise(p);
    if (norm === undefined) return false;
    return roots.some((r) => {
        const root = normalise(r);
        return root !== undefined && root !== "/" && (norm === root || norm.startsWith(`${root}/`));
    });
}

/** An absolute path without `.`/`..`/double slashes, or undefined when it is not absolute. */
function normalise(p: string): string | undefined {
    if (!p.startsWith("/")) return undefined;
    const out: string[] = [];
    for (const part of p.split("/")) {
        if (part === "" || part === ".") continue;
        if (part === "..") out.pop();
        else out.push(part);
    }
    return `/${out.join("/")}`;
}

/** A host address that only the host itself can reach: loopback (a proxy that connects there reaches the host's private services). */
function loopbackTarget(address: string): boolean {
    const host = address.replace(/^\[/, "").replace(/\]?:[^:]*$/, "");
    return /^127\./.test(host) || host === "::1" || host === "localhost" || host === "0.0.0.0" || host === "::";
}

/**
 * What is wrong with one device, or undefined. `props` are its string properties; a value of
 * undefined is not known yet. `hostPaths` are the host directories BCM itself uses (its home:
 * the swarm manager's socket): a disk or socket there is the project's own.
 */
export function deviceProblem(name: string, props: Record<string, string | undefined>, hostPaths: readonly string[]): { problem: string; fix: string } | undefined {
    if (!("type" in props) || props.type === undefined) {
        return { problem: `has device "${name}" whose type is not known before deploy`, fix: `give device "${name}" a literal type` };
    }
    const type = props.type.trim().toLowerCase();
    if ((forbiddenDeviceTypes as readonly string[]).includes(type)) {
        return {
            problem: `passes host device "${name}" (type ${type}) in: a container with host device nodes or hardware can reach around its namespaces`,
            fix: `remove device "${name}"; BCM containers need no host devices`,
        };
    }
    if (type === "disk") {
        const source = props.source;
        if ("source" in props && source === undefined) {
            return { problem: `has disk "${name}" whose source is not known before deploy`, fix: `give disk "${name}" a literal source` };
        }
        if (source === undefined || source.trim() === "") return undefined; // the root disk, or a pool's own
        if (props.pool !== undefined && props.pool !== "" && !source.includes("/")) return undefined; // a storage volume of the pool
        if (/(^|\/)docker\.sock$/.test(source.trim())) {
            return { problem: `passes the host's Docker socket in (device "${name}", source ${source}): that is root on the host`, fix: `remove device "${name}"; each tier runs its own dockerd inside its container` };
        }
        if (!insideAny(source.trim(), hostPaths)) {
            return {
                problem: `passes host path ${source} in (disk "${name}"): only storage volumes and the project's own directories (${hostPaths.join(", ") || "none"}) may be shared`,
                fix: `use a storage volume (pool and source) instead of disk "${name}"'s host path`,
            };
        }
        return undefined;
    }
    if (type === "proxy") {
        const bind = (props.bind ?? "host").trim().toLowerCase();
        if ("bind" in props && props.bind === undefined) {
            return { problem: `has proxy "${name}" whose bind side is not known before deploy`, fix: `give proxy "${name}" a literal bind` };
        }
        // bind=host: LXD listens on the host and connects inside the instance; bind=instance the other way round.
        const hostSide = bind === "instance" ? "connect" : "listen";
        const address = props[hostSide];
        // Not known in a preview: a tier container's forwards connect to the first gateway
        // container's address, which exists only once that container does. The pack runs again
        // during the update, when the engine has resolved it and before the instance is
        // created, and judges the real address there (the same checks as below).
        if (address === undefined) return undefined;
        const a = address.trim();
        if (/^unix:/i.test(a)) {
            const p = a.slice(5);
            if (p.startsWith("@") || !insideAny(p, hostPaths)) {
                return {
                    problem: `${hostSide === "connect" ? "connects into" : "listens on"} host socket ${p} (proxy "${name}"): only the sockets BCM makes under ${hostPaths.join(", ") || "its home"} may be used`,
                    fix: `remove proxy "${name}" or move its socket under ${hostPaths[0] ?? "the BCM home"}`,
                };
            }
        } else if (hostSide === "connect" && /^(tcp|udp):/i.test(a) && loopbackTarget(a.slice(4))) {
            return {
                problem: `connects into the host's loopback (${a}, proxy "${name}"): that reaches the host's private services`,
                fix: `remove proxy "${name}" or point it at a container's address`,
            };
        }
    }
    return undefined;
}
