import { resourcePolicy, ResourceContext } from "../lib/define";
import { dockerTypes } from "../lib/docker";
import { Finding, subjectOf } from "../lib/report";
import { numberOf, objectOf } from "../lib/values";

const name = "resource-limits-set";

/**
 * Advisory: every swarm service sets taskSpec.resources.limits (memoryBytes or nanoCpus
 * above 0) and every container sets memory or cpus, so one runaway service (an initial
 * block download, a leaking indexer) cannot starve the others on the same host.
 */
export function resourceLimitFindings(ctx: ResourceContext): Finding[] {
    const subject = subjectOf(ctx.type, ctx.name, ctx.props);
    if (ctx.type === dockerTypes.service) {
        const limits = objectOf(objectOf(objectOf(ctx.props.taskSpec)?.resources)?.limits);
        const memory = numberOf(limits?.memoryBytes) ?? 0;
        const cpus = numberOf(limits?.nanoCpus) ?? 0;
        if (memory <= 0 && cpus <= 0) {
            return [
                {
                    subject,
                    problem: "sets no resource limits: one runaway service can starve the others on its host",
                    fix: "set taskSpec.resources.limits.memoryBytes and nanoCpus (e.g. 536870912 and 1000000000), or relax resource-limits-set with a reason",
                },
            ];
        }
    }
    if (ctx.type === dockerTypes.container) {
        const memory = numberOf(ctx.props.memory) ?? 0;
        const cpus = typeof ctx.props.cpus === "string" && ctx.props.cpus.trim() !== "" ? ctx.props.cpus : undefined;
        if (memory <= 0 && cpus === undefined) {
            return [
                {
                    subject,
                    problem: "sets no resource limits: one runaway container can starve the others on its host",
                    fix: 'set memory (MB) and cpus (e.g. "1.0"), or relax resource-limits-set with a reason',
                },
            ];
        }
    }
    return [];
}

export const resourceLimitsSet = resourcePolicy(
    name,
    "Advisory: services set taskSpec.resources.limits and containers set memory or cpus.",
    [dockerTypes.service, dockerTypes.container],
    resourceLimitFindings,
);
