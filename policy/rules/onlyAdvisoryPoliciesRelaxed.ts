import { StackValidationPolicy } from "@pulumi/policy";
import { StackContext, stackOf } from "../lib/define";
import { reportMessage } from "../lib/report";
import { advisoryPolicyNames, isAdvisory, isMandatory } from "../names";
import { readSettings, settingsSchema } from "../settings";
import { rpcPorts } from "../lib/ports";

const name = "only-advisory-policies-relaxed";
const description =
    "Relaxations are recorded and only for advisory policies: each relaxed advisory policy is reported with its reason; relaxing a mandatory policy is refused.";

/** One message about the settings, reported under `policy` at `level`. */
export interface RelaxationNote {
    policy: string;
    level: "advisory" | "mandatory";
    message: string;
}

/**
 * What the settings' `relaxed` map and publishedPorts amount to:
 * - a relaxed advisory policy: an advisory note under that policy's name,
 *   `relaxed: <reason>` (the policy itself steps aside);
 * - a relaxed mandatory policy: a mandatory violation naming it;
 * - a relaxed name that is no policy of this pack: an advisory note (a typo relaxes nothing);
 * - a declared published port that is an RPC port: an advisory note that
 *   bitcoin-rpc-never-published refuses it anyway.
 */
export function relaxationNotes(ctx: StackContext): RelaxationNote[] {
    const notes: RelaxationNote[] = [];
    for (const [policy, reason] of Object.entries(ctx.settings.relaxed)) {
        if (isAdvisory(policy)) {
            notes.push({
                policy,
                level: "advisory",
                message: `${policy}: relaxed: ${reason} (advisory policy off for stack ${ctx.stack}; fix: remove relaxed["${policy}"] from the policy config to turn it back on)`,
            });
        } else if (isMandatory(policy)) {
            notes.push({
                policy: name,
                level: "mandatory",
                message: `${name}: policy config relaxes mandatory policy ${policy} ("${reason}"): mandatory policies cannot be relaxed; fix: remove relaxed["${policy}"] from the policy config and fix the resources ${policy} refuses`,
            });
        } else {
            notes.push({
                policy: name,
                level: "advisory",
                message: `${name}: policy config relaxes "${policy}", which is no policy of this pack, so nothing is relaxed; fix: use one of ${advisoryPolicyNames.join(", ")} or remove it`,
            });
        }
    }
    for (const p of ctx.settings.publishedPorts) {
        if (rpcPorts.has(p.port)) {
            notes.push({
                policy: name,
                level: "advisory",
                message: `${name}: policy config declares publishedPorts { service: "${p.service}", port: ${p.port} }, an RPC port (${rpcPorts.get(p.port)}) that bitcoin-rpc-never-published refuses anyway; fix: remove it from publishedPorts`,
            });
        }
    }
    return notes;
}

export const onlyAdvisoryPoliciesRelaxed: StackValidationPolicy = {
    name,
    description,
    enforcementLevel: "mandatory",
    configSchema: settingsSchema,
    validateStack: (args, report) => {
        const settings = readSettings(args.getConfig());
        const stack = stackOf(args.resources);
        for (const note of relaxationNotes({ resources: args.resources, settings, stack })) {
            reportMessage(report, { name: note.policy, description }, note.message, note.level);
        }
    },
};
