import { resourcePolicy, ResourceContext } from "../lib/define";
import { dockerTypes } from "../lib/docker";
import { configOf, devicesOf, lxdTypes } from "../lib/lxd";
import { configKeyProblem, deviceProblem } from "../lib/lxdSideDoors";
import { Finding, subjectOf } from "../lib/report";
import { booleanOf, read, stringOf, UNKNOWN } from "../lib/values";

const name = "no-privileged-containers";

/**
 * No privileged containers and no side doors into the host:
 * - an LXD instance or profile must not set `raw.*` keys (raw.idmap, raw.lxc, raw.apparmor,
 *   raw.seccomp), `security.privileged` to a true value (LXD reads 1, true, yes and on as
 *   true), nor `security.idmap.isolated` to anything but true;
 * - it must not pass host devices in (unix-char, unix-block, unix-hotplug, usb, gpu, pci), nor
 *   a disk from a host path outside the project's own directories (settings.hostPaths), nor a
 *   proxy whose host side is a unix socket outside them or the host's loopback;
 * - a docker container must not set `privileged: true`.
 */
export function privilegedFindings(ctx: ResourceContext): Finding[] {
    const subject = subjectOf(ctx.type, ctx.name, ctx.props);
    const findings: Finding[] = [];
    if (ctx.type === lxdTypes.instance || ctx.type === lxdTypes.profile) {
        const config = configOf(ctx.props);
        for (const key of Object.keys(config)) {
            const value = read(() => stringOf(config[key]));
            const found = configKeyProblem(key, value === UNKNOWN ? undefined : (value ?? ""));
            if (found) findings.push({ subject, ...found });
        }
        for (const device of devicesOf(ctx.props)) {
            const props = Object.fromEntries(Object.entries(device.props).map(([k, v]) => [k, v === UNKNOWN ? undefined : v]));
            const found = deviceProblem(device.name, props, ctx.settings.hostPaths);
            if (found) findings.push({ subject, ...found });
        }
    }
    if (ctx.type === dockerTypes.container && booleanOf(ctx.props.privileged) === true) {
        findings.push({
            subject,
            problem: "sets privileged: true: a privileged container can take over its host",
            fix: "remove privileged (add only the capabilities it needs with capabilities.adds)",
        });
    }
    return findings;
}

export const noPrivilegedContainers = resourcePolicy(
    name,
    "No privileged system containers and no side doors: no LXD instance or profile sets raw.* keys, security.privileged or security.idmap.isolated=false, passes host devices, host paths or host sockets in; no docker container runs privileged.",
    [lxdTypes.instance, lxdTypes.profile, dockerTypes.container],
    privilegedFindings,
);
