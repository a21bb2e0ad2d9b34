import { resourcePolicy, ResourceContext } from "../lib/define";
import { dockerTypes, publicationsOf } from "../lib/docker";
import { devicesOf, lxdTypes, parseProxyAddress } from "../lib/lxd";
import { isRpcTargetPort, rpcPorts } from "../lib/ports";
import { Finding, subjectOf } from "../lib/report";
import { shown } from "../lib/values";

const name = "bitcoin-rpc-never-published";

const keepOnOverlay = "RPC must stay on the tier's overlay network";

/**
 * No Bitcoin or Lightning RPC port reaches the host, whatever publishedPorts says:
 * - a service or container publishing one of the RPC ports (8332, 18332, 48332, 38332,
 *   18443, lnd 10009 and 8080, btcd 8334 and 18334) as a host port;
 * - or publishing, on any host port, a container port that is one of them (8080 aside);
 * - an LXD proxy device listening on one of them, or forwarding to one (8080 aside).
 */
export function rpcFindings(ctx: ResourceContext): Finding[] {
    const subject = subjectOf(ctx.type, ctx.name, ctx.props);
    const findings: Finding[] = [];
    for (const pub of publicationsOf(ctx.type, ctx.props)) {
        if (pub.hostPort !== undefined && rpcPorts.has(pub.hostPort)) {
            findings.push({
                subject,
                problem: `publishes ${pub.hostPort} (${rpcPorts.get(pub.hostPort)}) on the host: ${keepOnOverlay}`,
                fix: `remove ${pub.where} (publishedPorts cannot allow it); reach RPC from services on the same overlay network`,
            });
        } else if (pub.targetPort !== undefined && isRpcTargetPort(pub.targetPort)) {
            findings.push({
                subject,
                problem: `publishes its port ${pub.targetPort} (${rpcPorts.get(pub.targetPort)}) on host port ${pub.hostPort ?? "<picked by docker>"}: ${keepOnOverlay}`,
                fix: `remove ${pub.where} (publishedPorts cannot allow it); reach RPC from services on the same overlay network`,
            });
        }
    }
    if (ctx.type === lxdTypes.instance || ctx.type === lxdTypes.profile) {
        for (const device of devicesOf(ctx.props)) {
            const { type, listen, connect } = device.props;
            if (type !== "proxy") {
                continue;
            }
            const listened = typeof listen === "string" ? parseProxyAddress(listen).ports.filter((p) => rpcPorts.has(p)) : [];
            const forwarded =
                typeof connect === "string" ? parseProxyAddress(connect).ports.filter((p) => isRpcTargetPort(p)) : [];
            const ports = [...new Set([...listened, ...forwarded])];
            if (ports.length > 0) {
                findings.push({
                    subject,
                    problem: `has proxy device "${device.name}" (listen ${shown(listen)}, connect ${shown(connect)}) exposing ${ports.map((p) => `${p} (${rpcPorts.get(p)})`).join(", ")} on the host: ${keepOnOverlay}`,
                    fix: `remove device "${device.name}"`,
                });
            }
        }
    }
    return findings;
}

export const bitcoinRpcNeverPublished = resourcePolicy(
    name,
    "No Bitcoin or Lightning RPC port (8332, 18332, 48332, 38332, 18443, lnd 10009/8080, btcd 8334/18334) is published on a host, whatever the published-ports config says.",
    [dockerTypes.service, dockerTypes.container, lxdTypes.instance, lxdTypes.profile],
    rpcFindings,
);
