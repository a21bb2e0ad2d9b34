import { EnforcementLevel, ReportViolation } from "@pulumi/policy";
import { read, stringOf, UNKNOWN } from "./values";

/**
 * One thing wrong with one resource: what it is, why it matters and how to fix it. The
 * message the engine prints is `<policy>: <subject> <problem>; fix: <fix>`, so every
 * violation names the policy, the resource and the fix even when read out of context (a
 * CI log, the bcm CLI's one-line report).
 */
export interface Finding {
    /** The resource as the user knows it, e.g. `service bitcoind`, `LXD instance bitcoin-01`. */
    subject: string;
    /** What is wrong and why it matters, e.g. `publishes 8332 on the host: Bitcoin RPC must ...`. */
    problem: string;
    /** The change that makes the violation go away. */
    fix: string;
}

export function formatFinding(policy: string, f: Finding): string {
    return `${policy}: ${f.subject} ${f.problem}; fix: ${f.fix}`;
}

/**
 * Reports findings. Mandatory policies pass "mandatory" so that a policy config which
 * downgrades them to advisory cannot weaken them (the enforcement level of a violation
 * wins over the configured one); advisory policies pass nothing and get the configured level.
 */
export function reportFindings(
    report: ReportViolation,
    policy: { name: string; description: string },
    findings: Finding[],
    level?: EnforcementLevel,
    urn?: string,
): void {
    for (const f of findings) {
        reportMessage(report, policy, formatFinding(policy.name, f), level, urn);
    }
}

/**
 * Reports one violation message. @pulumi/policy's ReportViolation is typed as taking a
 * string, but its runtime (server.js makeReportViolationFun, 1.21.0) also takes an object
 * whose `name`, `message` and `enforcementLevel` override the policy's own: that is how a
 * mandatory policy stays mandatory whatever the config says, and how a relaxation is
 * reported under the relaxed policy's name.
 */
export function reportMessage(
    report: ReportViolation,
    policy: { name: string; description: string },
    message: string,
    level?: EnforcementLevel,
    urn?: string,
): void {
    const violation: ViolationObject = { name: policy.name, description: policy.description, message };
    if (level) {
        violation.enforcementLevel = level;
    }
    if (urn) {
        violation.urn = urn;
    }
    (report as unknown as (v: ViolationObject) => void)(violation);
}

/** The object form of a violation that @pulumi/policy's server accepts. */
export interface ViolationObject {
    name: string;
    description: string;
    message: string;
    enforcementLevel?: EnforcementLevel;
    urn?: string;
}

/** What kind of thing a resource type is, in words users know. */
export const kindNames: Record<string, string> = {
    "docker:index/service:Service": "service",
    "docker:index/container:Container": "container",
    "docker:index/serviceConfig:ServiceConfig": "service config",
    "docker:index/remoteImage:RemoteImage": "image pull",
    "docker:index/network:Network": "network",
    "pulumi:providers:docker": "docker provider",
    "lxd:index:Instance": "LXD instance",
    "lxd:index:Profile": "LXD profile",
};

/**
 * The name a resource goes by: its `name` property when known (the docker or LXD name),
 * else the Pulumi resource name.
 */
export function resourceName(logicalName: string, props: Record<string, unknown>): string {
    const given = read(() => stringOf(props.name));
    return given !== UNKNOWN && given ? given : logicalName;
}

/** Both names a resource answers to in the policy config: the Pulumi name and the `name` property. */
export function resourceNames(logicalName: string, props: Record<string, unknown>): string[] {
    const given = read(() => stringOf(props.name));
    return given !== UNKNOWN && given && given !== logicalName ? [logicalName, given] : [logicalName];
}

/** Types whose `name` property is not the resource's name (a RemoteImage's is the image reference). */
const nameIsNotAName = new Set(["docker:index/remoteImage:RemoteImage"]);

export function subjectOf(type: string, logicalName: string, props: Record<string, unknown>): string {
    return `${kindNames[type] ?? type} ${nameIsNotAName.has(type) ? logicalName : resourceName(logicalName, props)}`;
}

/** The stack name from a resource URN (urn:pulumi:<stack>::<project>::<type>::<name>). */
export function stackFromUrn(urn: string): string | undefined {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn);
    return m ? m[1] : undefined;
}
