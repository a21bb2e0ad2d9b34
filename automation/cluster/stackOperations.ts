// `bcm stack deploy|remove|list` (the seed's `bcm project` / `bcm tier`): tiers are part of a
// cluster's stack config (`bcm:tiers`), so deploying one is: change the config, preview with
// the policy pack, and `up` only when nothing mandatory is violated. A refused or failed
// preview puts the old config back: nothing is half-applied.
import * as path from "node:path";
import { readDataCenterSpec } from "../../components/datacenter/dataCenterSpec";
import { SpecError } from "../../components/datacenter/spec";
import { Stack } from "@pulumi/pulumi/automation";
import { Progress, setSecretConfig } from "../../engine";
import { CliError } from "../cli/errors";
import { ExitCode } from "../cli/exitCodes";
import { deployWithPolicy } from "./deploy";
import { prepareDeploy } from "./deviceValues";
import { writePolicyConfig } from "./policyConfig";
import { ClusterContext, deviceKindOf, plainConfig, selectCluster } from "./workspace";
import { currentConfigText, snapshotHooks } from "../snapshots/hooks";
import { withLndRefusal } from "../lightning/lndRefusal";

/** Tier names `bcm stack` deploys; the gateway comes first and carries every other. */
export const tierPattern = /^[a-z][a-z0-9]{0,15}$/;

/** Checks a tier name before any engine starts; the error names the rule. */
export function checkTierName(tier: string): string {
    if (!tierPattern.test(tier)) throw new SpecError(`tier "${tier}": a tier name is 1-16 lower-case letters and digits, starting with a letter`);
    return tier;
}

/** What changes in a cluster's config for a tier deploy or removal (pure: tested directly). */
export function tiersAfter(current: Record<string, object>, op: "deploy" | "remove", tier: string): Record<string, object> | undefined {
    checkTierName(tier);
    if (op === "deploy") {
        // Every tier runs in the gateway's swarm, so deploying one brings the gateway with it.
        return { gateway: {}, ...current, [tier]: current[tier] ?? {} };
    }
    if (!(tier in current)) throw new SpecError(`tier ${tier} is not deployed on this cluster (deployed: ${Object.keys(current).join(", ") || "none"})`);
    if (tier === "gateway") {
        const others = Object.keys(current).filter((t) => t !== "gateway");
        if (others.length > 0) throw new SpecError(`tier gateway carries ${others.join(", ")}: remove those first (\`bcm stack remove ${others[0]} --cluster …\`)`);
        return undefined;
    }
    const { [tier]: _removed, ...rest } = current;
    return rest;
}

/** One change to a stack's config: a value to set (secret ones go through standard input), or a key to remove. */
export type ConfigChange = { key: string; value: string; secret: boolean } | { key: string; remove: true };

/**
 * The changes that turn `from` into `to`: only keys whose value differs are set, so a secret
 * value that stays is never written again (and never as plaintext on a command line); a
 * changed key that is secret stays secret.
 */
export function configChanges(from: Record<string, string>, to: Record<string, string>, secretKeys: ReadonlySet<string>): ConfigChange[] {
    const out: ConfigChange[] = [];
    for (const [key, value] of Object.entries(to)) if (from[key] !== value) out.push({ key, value, secret: secretKeys.has(key) });
    for (const key of Object.keys(from)) if (!(key in to)) out.push({ key, remove: true });
    return out;
}

/** Applies config changes: plain values as the Automation API sets them, secret ones on standard input (setSecretConfig). */
async function applyConfig(stack: Stack, changes: ConfigChange[]): Promise<void> {
    for (const c of changes) {
        if ("remove" in c) await stack.removeConfig(c.key);
        else if (c.secret) await setSecretConfig(stack, c.key, c.value);
        else await stack.setConfig(c.key, { value: c.value });
    }
}

/** Deploys or removes a tier on a cluster: config, policy preview, up; the old config comes back on refusal. */
export async function changeTier(cluster: string, op: "deploy" | "remove", tier: string, opts: { tor?: string; refresh?: boolean }, ctx: ClusterContext): Promise<Record<string, unknown>> {
    const stack = await selectCluster(cluster, ctx);
    const all = await stack.getAllConfig();
    const secretKeys = new Set(Object.entries(all).filter(([, v]) => v.secret).map(([k]) => k));
    const before = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.value]));
    const previousConfig = currentConfigText(stack);
    const current = JSON.parse(before["bcm:tiers"] ?? "{}") as Record<string, object>;
    let next: Record<string, object> | undefined;
    try {
        next = tiersAfter(current, op, tier);
    } catch (err) {
        throw err instanceof SpecError ? new CliError(err.message, ExitCode.usage) : err;
    }
    const after: Record<string, string> = { ...before };
    if (next === undefined) {
        delete after["bcm:tiers"];
    } else {
        after["bcm:tiers"] = JSON.stringify(next);
        if (opts.tor !== undefined) after["bcm:tor"] = JSON.stringify({ network: opts.tor });
        if (after["bcm:tor"] === undefined) {
            throw new CliError(`cluster ${cluster} has no Tor network yet: give --tor public (the Tor network) or --tor offline`, ExitCode.usage);
        }
        after["bcm:dockerSocketDir"] ??= path.join(ctx.home, "sockets", cluster);
    }
    let spec: ReturnType<typeof readDataCenterSpec>;
    try {
        spec = readDataCenterSpec((k) => after[`bcm:${k}`]);
    } catch (err) {
        throw new CliError((err as Error).message, ExitCode.usage);
    }
    // Only what changes is written: secret values (the device's among them) stay as they are,
    // encrypted, off every command line; a refusal puts back only what this command changed.
    let prepared = after;
    const restore = () => applyConfig(stack, configChanges(prepared, before, secretKeys));
    await applyConfig(stack, configChanges(before, after, secretKeys));
    prepared = await prepareDeploy(stack, after, { home: ctx.home, env: ctx.env, say: ctx.say });
    const policyConfig = writePolicyConfig(ctx.home, cluster, await deviceKindOf(ctx), prepared);
    await withLndRefusal(prepared, cluster, ctx.home, () => deployWithPolicy(
        stack,
        {
            cluster,
            what: `stack ${op} ${tier}`,
            policyConfig,
            ctx,
            refresh: opts.refresh,
            undo: async () => {
                await restore();
                writePolicyConfig(ctx.home, cluster, await deviceKindOf(ctx), before);
            },
            // Snapshots before the update, the rollback when it or its health gate fails (bcm:snapshots).
            ...(spec ? { hooks: snapshotHooks({ stack, cluster, ctx, settings: spec.snapshots, previousConfig, spec }) } : {}),
        },
        new Progress(`stack ${op}`),
    ));
    const outputs = await stack.outputs();
    return (outputs.dataCenter?.value ?? {}) as Record<string, unknown>;
}

/** `bcm stack list`: the tiers of each cluster. */
export async function listTiers(cluster: string, ctx: ClusterContext): Promise<{ tier: string; placement: object }[]> {
    const stack = await selectCluster(cluster, ctx);
    const config = await plainConfig(stack);
    return Object.entries(JSON.parse(config["bcm:tiers"] ?? "{}") as Record<string, object>).map(([tier, placement]) => ({ tier, placement }));
}
