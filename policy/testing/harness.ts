import {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
} from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { isUnknownValueError } from "../lib/values";
import { PolicySettingsInput } from "../settings";

/**
 * Runs policies the way @pulumi/policy 1.21.0's analyzer server does (server.js
 * makeAnalyzeRpcFun / makeAnalyzeStackRpcFun), without starting it: props wrapped in the
 * real unknownCheckingProxy, violations collected from both the string and the object
 * form of reportViolation, notApplicable and preview-unknown outcomes recorded as the
 * server records them. Config is given as the engine would hand it (no schema defaults:
 * those come from the engine).
 */

/** A value not known during preview (the engine's unknown sentinel). */
export const computed = unknownValue;

export interface Violation {
    policy: string;
    message: string;
    level: string;
    urn?: string;
}

export interface RunResult {
    violations: Violation[];
    /** The reason given to args.notApplicable, if the policy said it does not apply. */
    notApplicable?: string;
    /** The "can't run during preview" message the server would report as advisory, if any. */
    deferred?: string;
}

class NotApplicable extends Error {
    constructor(public readonly reason: string) {
        super(`not applicable: ${reason}`);
    }
}

export const testStack = "test";
export const urnOf = (type: string, name: string) => `urn:pulumi:${testStack}::bcm::${type}::${name}`;

function collector(policy: { name: string; description: string; enforcementLevel?: string }, out: Violation[]) {
    const configured = policy.enforcementLevel ?? "advisory";
    return (message: unknown, urn?: string) => {
        if (typeof message === "object" && message !== null) {
            const o = message as { name?: string; message?: string; description?: string; enforcementLevel?: string; urn?: string };
            out.push({
                policy: o.name ?? policy.name,
                message: o.message ?? o.description ?? policy.description,
                level: o.enforcementLevel ?? configured,
                urn: o.urn,
            });
        } else {
            out.push({ policy: policy.name, message: `${policy.description}\n${String(message ?? "")}`, level: configured, urn });
        }
    };
}

async function outcome(run: () => Promise<void> | void, result: RunResult): Promise<RunResult> {
    try {
        await run();
    } catch (e) {
        if (e instanceof NotApplicable) {
            result.notApplicable = e.reason;
        } else if (isUnknownValueError(e)) {
            result.deferred = (e as Error).message;
        } else {
            throw e;
        }
    }
    return result;
}

export interface ResourceUnderTest {
    type: string;
    name?: string;
    props: Record<string, unknown>;
    /** For stack policies: input property → names of the resources its value came from. */
    dependsOn?: Record<string, string[]>;
}

function policyOpts() {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
}

export async function runResourcePolicy(
    policy: ResourceValidationPolicy,
    resource: ResourceUnderTest,
    config: PolicySettingsInput = {},
): Promise<RunResult> {
    const name = resource.name ?? "r";
    const props = unknownCheckingProxy(JSON.parse(JSON.stringify(resource.props))) as Record<string, unknown>;
    const args: ResourceValidationArgs = {
        type: resource.type,
        props,
        urn: urnOf(resource.type, name),
        name,
        opts: policyOpts(),
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => JSON.parse(JSON.stringify(config)) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason ?? "");
        },
    };
    const result: RunResult = { violations: [] };
    const validations = [policy.validateResource ?? []].flat();
    return outcome(async () => {
        for (const v of validations) {
            await v(args, collector(policy, result.violations));
        }
    }, result);
}

export async function runStackPolicy(
    policy: StackValidationPolicy,
    resources: ResourceUnderTest[],
    config: PolicySettingsInput = {},
): Promise<RunResult> {
    const stackResource: ResourceUnderTest = { type: "pulumi:pulumi:Stack", name: `bcm-${testStack}`, props: {} };
    const all = [stackResource, ...resources].map((r, i): PolicyResource => {
        const name = r.name ?? `r${i}`;
        return {
            type: r.type,
            name,
            urn: urnOf(r.type, name),
            props: unknownCheckingProxy(JSON.parse(JSON.stringify(r.props))) as Record<string, unknown>,
            opts: policyOpts(),
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        } as unknown as PolicyResource;
    });
    const byName = new Map(all.map((r) => [r.name, r]));
    [stackResource, ...resources].forEach((r, i) => {
        for (const [prop, names] of Object.entries(r.dependsOn ?? {})) {
            const deps = names.map((n) => {
                const d = byName.get(n);
                if (!d) {
                    throw new Error(`dependsOn names unknown resource ${n}`);
                }
                return d;
            });
            all[i].propertyDependencies[prop] = deps;
            all[i].dependencies.push(...deps);
        }
    });
    const args: StackValidationArgs = {
        resources: all,
        stackTags: new Map(),
        getConfig: <T extends object>() => JSON.parse(JSON.stringify(config)) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason ?? "");
        },
    };
    const result: RunResult = { violations: [] };
    return outcome(() => policy.validateStack(args, collector(policy, result.violations)), result);
}

/** The messages of the violations at a level, for compact assertions. */
export function messages(result: RunResult, level?: string): string[] {
    return result.violations.filter((v) => level === undefined || v.level === level).map((v) => v.message);
}
