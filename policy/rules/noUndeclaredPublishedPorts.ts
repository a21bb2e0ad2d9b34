import { resourcePolicy, ResourceContext } from "../lib/define";
import { dockerTypes, publicationsOf } from "../lib/docker";
import { Finding, resourceName, resourceNames, subjectOf } from "../lib/report";
import { PublishedPort } from "../settings";

const name = "no-undeclared-published-ports";

/** Whether the settings declare `port` for a service known by any of `names`. */
export function isDeclared(declared: PublishedPort[], names: string[], port: number): boolean {
    return declared.some((d) => d.port === port && names.includes(d.service));
}

/**
 * No host port is published unless the stack declares it: every swarm service
 * endpointSpec.ports[].publishedPort and container ports[].external must be listed in
 * the settings' publishedPorts as { service: <Pulumi or docker name>, port }. A port
 * entry without a host port (docker then picks one) and publishAllPorts cannot be
 * declared, so they are refused.
 */
export function publishedPortFindings(ctx: ResourceContext): Finding[] {
    const subject = subjectOf(ctx.type, ctx.name, ctx.props);
    const names = resourceNames(ctx.name, ctx.props);
    const display = resourceName(ctx.name, ctx.props);
    const findings: Finding[] = [];
    for (const pub of publicationsOf(ctx.type, ctx.props)) {
        if (pub.hostPort === undefined) {
            findings.push({
                subject,
                problem: `publishes ${pub.targetPort !== undefined ? `port ${pub.targetPort}` : "its ports"} on a host port docker picks (${pub.where}): nothing may listen on the host unless the stack declares it`,
                fix: `remove ${pub.where}, or give it a fixed host port and declare it in the policy config publishedPorts`,
            });
        } else if (!isDeclared(ctx.settings.publishedPorts, names, pub.hostPort)) {
            findings.push({
                subject,
                problem: `publishes ${pub.hostPort} on the host, which the stack does not declare`,
                fix: `remove ${pub.where}, or declare it in the policy config: publishedPorts: [{ service: "${display}", port: ${pub.hostPort} }]`,
            });
        }
    }
    return findings;
}

export const noUndeclaredPublishedPorts = resourcePolicy(
    name,
    "No swarm service or container publishes a host port unless the stack declares it (policy config publishedPorts).",
    [dockerTypes.service, dockerTypes.container],
    publishedPortFindings,
);
