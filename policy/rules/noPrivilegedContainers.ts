import { resourcePolicy, ResourceContext } from "../lib/define";
import { dockerTypes } from "../lib/docker";
import { configOf, devicesOf, lxdTrue, lxdTypes } from "../lib/lxd";
import { Finding, subjectOf } from "../lib/report";
import { booleanOf, read, stringOf, UNKNOWN } from "../lib/values";

const name = "no-privileged-containers";

/** Host paths of the host's Docker API socket: handing one to a container hands it the host. */
const dockerSocket = /(^|\/)docker\.sock$/;

/**
 * No privileged containers:
 * - an LXD instance or profile must not set `security.privileged` to a true value (LXD
 *   reads 1, true, yes and on as true): a privileged container's root is the host's root;
 * - an LXD instance or profile must not pass the host's Docker socket in (a `disk` device
 *   whose source is a docker.sock): whoever talks to it is root on the host;
 * - a docker container must not set `privileged: true`.
 */
export function privilegedFindings(ctx: ResourceContext): Finding[] {
    const subject = subjectOf(ctx.type, ctx.name, ctx.props);
    const findings: Finding[] = [];
    if (ctx.type === lxdTypes.instance || ctx.type === lxdTypes.profile) {
        const config = configOf(ctx.props);
        if (Object.prototype.hasOwnProperty.call(config, "security.privileged")) {
            const value = read(() => stringOf(config["security.privileged"]));
            if (value === UNKNOWN || (value !== undefined && lxdTrue(value))) {
                findings.push({
                    subject,
                    problem:
                        `sets config security.privileged=${value === UNKNOWN ? "<computed>" : value}: ` +
                        "root in a privileged container is root on the host",
                    fix:
                        'remove config "security.privileged" (unprivileged is the default; BCM tiers need only ' +
                        'security.nesting="true" to run Docker)',
                });
            }
        }
        for (const device of devicesOf(ctx.props)) {
            const source = device.props.source;
            if (device.props.type === "disk" && typeof source === "string" && dockerSocket.test(source.trim())) {
                findings.push({
                    subject,
                    problem: `passes the host's Docker socket in (device "${device.name}", source ${source}): that is root on the host`,
                    fix: `remove device "${device.name}"; each tier runs its own dockerd inside its container`,
                });
            }
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
    "No privileged system containers: no LXD instance or profile sets security.privileged or passes the host's Docker socket in, no docker container runs privileged.",
    [lxdTypes.instance, lxdTypes.profile, dockerTypes.container],
    privilegedFindings,
);
