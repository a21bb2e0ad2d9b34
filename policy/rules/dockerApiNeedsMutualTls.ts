import { resourcePolicy, ResourceContext } from "../lib/define";
import { dockerTypes } from "../lib/docker";
import { devicesOf, lxdTypes, parseProxyAddress } from "../lib/lxd";
import { Finding, subjectOf } from "../lib/report";
import { deferUnknown, hasKey, read, shown, stringOf, UNKNOWN } from "../lib/values";

const name = "docker-api-needs-mutual-tls";

/** The TLS inputs of a docker provider that mutual TLS needs (or certPath instead of all three). */
export const tlsMaterials = ["caMaterial", "certMaterial", "keyMaterial"] as const;

/** Whether a docker host URL reaches the Docker API over TCP (tcp://, http://, https://). */
export function isTcpHost(host: string): boolean {
    return /^(tcp|https?):\/\//i.test(host.trim());
}

/**
 * Whether an input is set. A value not known yet (a key generated in the same deploy)
 * counts as set: it will be; only an absent or empty input is missing.
 */
function present(props: Record<string, unknown>, key: string): boolean {
    if (!hasKey(props, key)) {
        return false;
    }
    const v = read(() => props[key]);
    return v === UNKNOWN || (typeof v === "string" ? v.trim() !== "" : v !== undefined && v !== null);
}

/** Whether an LXD proxy device's connect address is a Docker API: a docker.sock, or plain-TCP port 2375. */
export function connectsToDocker(connect: string): boolean {
    const c = connect.trim();
    if (/docker\.sock$/.test(c)) {
        return true;
    }
    const parsed = parseProxyAddress(c);
    return parsed.proto === "tcp" && parsed.ports.includes(2375);
}

/**
 * No Docker API on TCP without mutual TLS:
 * - a docker provider whose host is tcp://, http:// or https:// must have caMaterial,
 *   certMaterial and keyMaterial, or certPath (dockerd then verifies the client's
 *   certificate: `--tlsverify`); ssh:// and unix:// hosts need nothing;
 * - an LXD instance or profile must not have a proxy device that listens on TCP and
 *   connects to a Docker API (a docker.sock, or tcp port 2375).
 * A host not known before deploy is checked during the update, before the provider is used.
 */
export function mutualTlsFindings(ctx: ResourceContext): Finding[] {
    const subject = subjectOf(ctx.type, ctx.name, ctx.props);
    const findings: Finding[] = [];
    if (ctx.type === dockerTypes.provider) {
        const host = stringOf(ctx.props.host);
        if (host !== undefined && isTcpHost(host) && !present(ctx.props, "certPath")) {
            const missing = tlsMaterials.filter((k) => !present(ctx.props, k));
            if (missing.length > 0) {
                findings.push({
                    subject,
                    problem: `reaches the Docker API at ${host} over TCP without mutual TLS (missing ${missing.join(", ")}): anyone on the network can run containers as root`,
                    fix:
                        "set caMaterial, certMaterial and keyMaterial (or certPath) and run dockerd with --tlsverify, " +
                        "or reach the daemon over ssh:// instead",
                });
            }
        }
    }
    if (ctx.type === lxdTypes.instance || ctx.type === lxdTypes.profile) {
        for (const device of devicesOf(ctx.props)) {
            const { type, listen, connect } = device.props;
            if (type !== "proxy" || listen === undefined || connect === undefined) {
                continue;
            }
            // An address computed from another resource's output (a tier container forwarding to
            // the gateway's address) is not known during preview: the decision is deferred to the
            // update, where this resource policy runs with the value before the instance is made.
            const tcpListen = listen === UNKNOWN || parseProxyAddress(listen).proto === "tcp";
            const toDocker = connect === UNKNOWN || connectsToDocker(connect);
            if (tcpListen && toDocker && (listen === UNKNOWN || connect === UNKNOWN)) {
                deferUnknown(`devices.${device.name}.${listen === UNKNOWN ? "listen" : "connect"}`);
            } else if (tcpListen && toDocker) {
                findings.push({
                    subject,
                    problem: `has proxy device "${device.name}" that listens on ${shown(listen)} and connects to the Docker API (${shown(connect)}): a Docker API on TCP without TLS`,
                    fix: `remove device "${device.name}" (or make it listen on a unix: socket) and reach dockerd over SSH`,
                });
            }
        }
    }
    return findings;
}

export const dockerApiNeedsMutualTls = resourcePolicy(
    name,
    "No Docker API on TCP without mutual TLS: docker providers with a tcp:// or http(s):// host carry client certificates, and no LXD proxy device exposes a Docker socket on TCP.",
    [dockerTypes.provider, lxdTypes.instance, lxdTypes.profile],
    mutualTlsFindings,
);
