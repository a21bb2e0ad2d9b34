import { resourcePolicy, ResourceContext } from "../lib/define";
import { containerSpecOf, dockerTypes, publicationsOf } from "../lib/docker";
import { parseImageRef } from "../lib/images";
import { Finding, resourceNames, subjectOf } from "../lib/report";
import { read, stringOf, UNKNOWN } from "../lib/values";

const name = "electrum-never-published";

/** The Electrum protocol's ports: plain TCP and TLS (ElectrumX's and Electrum's defaults). */
export const electrumPorts: ReadonlyMap<number, string> = new Map([
    [50001, "Electrum TCP"],
    [50002, "Electrum TLS"],
]);

const why = "an Electrum server tells whoever asks which addresses are watched; wallets reach it only through its onion service with client authorization";
const fix = (where: string) => `remove ${where} (publishedPorts cannot allow it); wallets connect through the onion service (\`bcm electrum connect\`)`;

/** Whether a service or container is an Electrum server: named `electrum` or `electrum-…`, or running a `…/electrum` image. */
export function isElectrumServer(ctx: Pick<ResourceContext, "type" | "name" | "props">): boolean {
    if (resourceNames(ctx.name, ctx.props).some((n) => n === "electrum" || n.startsWith("electrum-"))) return true;
    const image = read(() => stringOf(ctx.type === dockerTypes.service ? containerSpecOf(ctx.props).image : ctx.props.image));
    if (image === undefined || image === UNKNOWN) return false;
    const repository = parseImageRef(image).repository;
    return repository === "electrum" || repository.endsWith("/electrum");
}

/**
 * No Electrum server is reachable from a host port, whatever publishedPorts says:
 * - an Electrum server (by name or image) that publishes any port;
 * - any service or container publishing 50001 or 50002 as a host port or as its container port.
 */
export function electrumFindings(ctx: ResourceContext): Finding[] {
    const subject = subjectOf(ctx.type, ctx.name, ctx.props);
    const server = isElectrumServer(ctx);
    const findings: Finding[] = [];
    for (const pub of publicationsOf(ctx.type, ctx.props)) {
        const port = [pub.hostPort, pub.targetPort].find((p) => p !== undefined && electrumPorts.has(p));
        if (server) {
            const what = pub.hostPort !== undefined ? `${pub.hostPort}` : pub.targetPort !== undefined ? `its port ${pub.targetPort}` : "its ports";
            findings.push({ subject, problem: `is an Electrum server and publishes ${what} on the host: ${why}`, fix: fix(pub.where) });
        } else if (port !== undefined) {
            findings.push({ subject, problem: `publishes ${port} (${electrumPorts.get(port)}) on the host: ${why}`, fix: fix(pub.where) });
        }
    }
    return findings;
}

export const electrumNeverPublished = resourcePolicy(
    name,
    "No Electrum server publishes a port on a host (and no service publishes 50001/50002), whatever the published-ports config says: wallets use its onion service.",
    [dockerTypes.service, dockerTypes.container],
    electrumFindings,
);
