import { ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { isMandatory, PolicyName } from "../names";
import { PolicySettings, readSettings, settingsSchema } from "../settings";
import { Finding, reportFindings, stackFromUrn } from "./report";

/** What a resource rule looks at: one resource's type, names and input properties, and the settings. */
export interface ResourceContext {
    type: string;
    /** The Pulumi resource name. */
    name: string;
    urn: string;
    props: Record<string, unknown>;
    settings: PolicySettings;
}

/** A resource rule: a pure function from a resource to what is wrong with it. */
export type ResourceRule = (ctx: ResourceContext) => Finding[];

/** What a stack rule looks at: every resource of the stack (with its outputs) and the settings. */
export interface StackContext {
    resources: StackValidationArgs["resources"];
    settings: PolicySettings;
    /** The stack's name, from the resources' URNs ("" if there are none). */
    stack: string;
}

/** A stack rule: findings, each optionally pinned to a resource URN. */
export type StackRule = (ctx: StackContext) => (Finding & { urn?: string })[];

/**
 * A resource validation policy around a pure rule. Mandatory policies report every
 * violation as mandatory, whatever level the policy config asks for; advisory policies
 * report at the configured level and step aside when the stack relaxed them (the
 * `only-advisory-policies-relaxed` stack policy prints the recorded reason once).
 */
export function resourcePolicy(
    name: PolicyName,
    description: string,
    types: readonly string[],
    rule: ResourceRule,
): ResourceValidationPolicy {
    const mandatory = isMandatory(name);
    return {
        name,
        description,
        enforcementLevel: mandatory ? "mandatory" : "advisory",
        configSchema: settingsSchema,
        validateResource: (args, report) => {
            if (!types.includes(args.type)) {
                args.notApplicable(`applies to ${types.join(", ")}`);
            }
            const settings = readSettings(args.getConfig());
            const reason = settings.relaxed[name];
            if (!mandatory && reason !== undefined) {
                args.notApplicable(`relaxed: ${reason}`);
            }
            const findings = rule({ type: args.type, name: args.name, urn: args.urn, props: args.props, settings });
            reportFindings(report, { name, description }, findings, mandatory ? "mandatory" : undefined);
        },
    };
}

/** A stack validation policy around a pure rule (see resourcePolicy for levels). */
export function stackPolicy(name: PolicyName, description: string, rule: StackRule): StackValidationPolicy {
    const mandatory = isMandatory(name);
    return {
        name,
        description,
        enforcementLevel: mandatory ? "mandatory" : "advisory",
        configSchema: settingsSchema,
        validateStack: (args, report) => {
            const settings = readSettings(args.getConfig());
            const reason = settings.relaxed[name];
            if (!mandatory && reason !== undefined) {
                args.notApplicable(`relaxed: ${reason}`);
            }
            const stack = stackOf(args.resources);
            for (const f of rule({ resources: args.resources, settings, stack })) {
                reportFindings(report, { name, description }, [f], mandatory ? "mandatory" : undefined, f.urn);
            }
        },
    };
}

/** The stack's name, from its resources' URNs ("" if there are none). */
export function stackOf(resources: { urn: string }[]): string {
    for (const r of resources) {
        const stack = stackFromUrn(r.urn);
        if (stack) {
            return stack;
        }
    }
    return "";
}
