// The one way BCM deploys a stack: preview with the policy pack, refuse (exit 3, nothing
// changed) on a mandatory violation, then update with the same pack, with Ctrl-C and engine
// failures turned into one-line errors. `npm run up`, `bcm cluster …` and `bcm stack …` all
// deploy through deployWithPolicy, which first finishes what a killed run left (a stale lock,
// pending operations) and, when asked, refreshes the state from the endpoints.
import { EngineEvent, Stack, UpResult } from "@pulumi/pulumi/automation";
import { Progress, recoverInterruptedRun, stripColor, urnName } from "../../engine";
import { CliError } from "../cli/errors";
import { ExitCode } from "../cli/exitCodes";
import { lxdDockerRunner, removeHalfMadeDocker } from "./dockerRecovery";
import { explainUnconverged } from "./serviceDiagnosis";
import { readBackVanished, StoredResource } from "./vanished";
import { ClusterContext } from "./workspace";
import { policyDir } from "./policyConfig";

/** A mandatory policy violation seen during a preview or update. */
export interface Violation {
    policy: string;
    resource: string;
    message: string;
}

/** Collects mandatory policy violations from engine events. */
export function violationCollector(): { onEvent: (e: EngineEvent) => void; violations: Violation[] } {
    const violations: Violation[] = [];
    return {
        violations,
        onEvent: (e) => {
            const p = e.policyEvent;
            if (p && p.enforcementLevel === "mandatory") {
                const urn = p.resourceUrn ?? "";
                const type = urn ? urn.split("::")[2]?.split("$").pop() : "stack";
                violations.push({ policy: p.policyName, resource: urn ? `${type} ${urnName(urn)}` : "the stack", message: stripColor(p.message).trim() });
            }
        },
    };
}

/** A failure of the engine as one line: the first error diagnostic, else the message's first useful line. */
export function engineFailure(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    const line = text
        .split("\n")
        .map((l) => l.trim())
        .find((l) => /^error: /.test(l) && !/preview failed|update failed/.test(l));
    return stripColor(line ?? text.split("\n").find((l) => l.trim() !== "") ?? text).replace(/^error: /, "");
}

export function interrupted(what: string): CliError {
    return new CliError(`interrupted: ${what} cancelled (the engine stopped cleanly; run the command again to finish)`, ExitCode.interrupted);
}

/** Previews with the pack: the mandatory violations, the number of changes, or the engine's failure. */
export async function previewWithPolicy(stack: Stack, policyConfig: string, ctx: Pick<ClusterContext, "signal">, extra: { expectNoChanges?: boolean } = {}) {
    const collector = violationCollector();
    let changes = 0;
    try {
        await stack.preview({
            policyPacks: [policyDir],
            policyPackConfigs: [policyConfig],
            signal: ctx.signal,
            ...extra,
            onEvent: (e) => {
                collector.onEvent(e);
                if (e.summaryEvent) {
                    changes = Object.entries(e.summaryEvent.resourceChanges)
                        .filter(([op]) => op !== "same")
                        .reduce((n, [, c]) => n + c, 0);
                }
            },
        });
    } catch (err) {
        if (ctx.signal?.aborted) throw interrupted("preview");
        if (collector.violations.length > 0) return { violations: collector.violations, changes, error: undefined };
        return { violations: [], changes, error: engineFailure(err) };
    }
    return { violations: collector.violations, changes, error: undefined };
}

/** The exit-3 error of a refused deploy, each violation said on its own line first. */
export function refusal(name: string, violations: Violation[], ctx: Pick<ClusterContext, "say">, unchanged: string): CliError {
    for (const v of violations) {
        ctx.say(`policy ${v.policy} refused ${v.resource}: ${v.message}`);
    }
    const v = violations[0];
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more, above)` : "";
    return new CliError(
        `cluster ${name}: deploy refused by mandatory policy ${v.policy} on ${v.resource}${more}; ${unchanged}; ${v.message.replace(/^[^:]*: /, "")}`,
        ExitCode.policy,
    );
}

/**
 * What a caller adds around the update, without changing the one deploy path: called after a
 * preview that passed (so never for a refusal), around `stack.up`.
 */
export interface DeployHooks {
    /** Before the update, told how many changes the preview planned (e.g. snapshots; automation/snapshots). */
    beforeUpdate?(changes: number): Promise<void>;
    /** After an update that succeeded (e.g. a health gate); a throw makes it a failed update. */
    afterUpdate?(result: UpResult): Promise<void>;
    /** After a failed update or a failed afterUpdate, told why (e.g. a rollback); what it returns is added to the error. */
    onFailure?(reason: string): Promise<string | undefined>;
}

export interface DeploySettings {
    /** The cluster (stack) name, for messages. */
    cluster: string;
    /** What is deployed, for messages: "create", "deploy of kafka", "up". */
    what: string;
    /** The pack's config file for this stack (writePolicyConfig). */
    policyConfig: string;
    /** Ctrl-C and report lines. */
    ctx: Pick<ClusterContext, "signal" | "say">;
    /** Puts back what the caller changed before the deploy (config, a new stack), when the preview refuses, fails or is interrupted. */
    undo?: () => Promise<void>;
    /** What the refusal says was left as it was; default "nothing was changed". */
    unchanged?: string;
    /** The fix a failed update names; default "fix the cause and run the command again". */
    fix?: string;
    /** Around the update (DeployHooks). */
    hooks?: DeployHooks;
    /** Refresh the state from the endpoints before the preview, so drift made behind BCM's back is put right. */
    refresh?: boolean;
}

/**
 * Before any run that changes a stack: a lock or pending operations left by a killed run
 * are resolved (engine/recovery.ts), each said in one line; a lock another run still holds
 * is a one-line error. Docker objects half made by a pending create are removed first
 * (dockerRecovery.ts); LXD objects are taken over by the provider's create instead.
 */
export async function recoverStack(stack: Stack, what: string, ctx: Pick<ClusterContext, "say">): Promise<unknown> {
    const say = (line: string) => ctx.say(`[bcm ${what}] ${line}`);
    const cluster = stack.name.split("/").pop()!;
    // Docker objects a killed run's create left: the docker provider cannot take them over.
    const beforeDrop = async (deployment: unknown, lockedSince: string | undefined) => {
        const runner = lxdDockerRunner();
        try {
            await removeHalfMadeDocker(deployment, { cluster, lockedSince }, runner.run, (l) => say(`stack ${cluster}: ${l}`));
        } finally {
            runner.close();
        }
    };
    try {
        const recovery = await recoverInterruptedRun(stack, say, { beforeDrop });
        return recovery.deployment ?? (await stack.exportStack()).deployment;
    } catch (err) {
        throw new CliError(engineFailure(err));
    }
}

/**
 * Before a deploy without --refresh: resources whose objects were deleted by hand (a Swarm
 * service, a container) are read back, so the update makes them again (vanished.ts).
 */
export async function readBackDeleted(
    stack: Stack,
    deployment: unknown,
    cluster: string,
    what: string,
    ctx: Pick<ClusterContext, "signal" | "say">,
): Promise<{ readBack: number; unjudged: string[] }> {
    const say = (line: string) => ctx.say(`[bcm ${what}] stack ${cluster}: ${line}`);
    const resources = ((deployment as { resources?: StoredResource[] } | undefined)?.resources ?? []);
    try {
        return await readBackVanished(resources, async (urns) => {
            const r = await stack.refresh({ target: urns, signal: ctx.signal });
            say(`read back ${urns.length} resource(s): ${r.summary.resourceChanges?.delete ?? 0} gone from the state`);
        }, say);
    } catch (err) {
        if (ctx.signal?.aborted) throw interrupted(`read-back of ${cluster}`);
        throw new CliError(`cluster ${cluster}: reading back the objects deleted by hand failed: ${engineFailure(err)}; run the command again with --refresh`);
    }
}

/** Reads every resource back from its endpoint into the state (`pulumi refresh`), with progress. */
export async function refreshStack(stack: Stack, cluster: string, what: string, ctx: Pick<ClusterContext, "signal" | "say">): Promise<void> {
    ctx.say(`[bcm ${what}] refreshing ${cluster}: reading every resource back from its endpoint`);
    try {
        const r = await stack.refresh({ onEvent: new Progress("refresh").onEvent, signal: ctx.signal });
        const changed = Object.entries(r.summary.resourceChanges ?? {})
            .filter(([op]) => op !== "same")
            .map(([op, n]) => `${n} ${op}`);
        ctx.say(`[bcm ${what}] refreshed ${cluster}: ${changed.length > 0 ? `the state now says ${changed.join(", ")} (drift found)` : "no drift"}`);
    } catch (err) {
        if (ctx.signal?.aborted) throw interrupted(`refresh of ${cluster}`);
        throw new CliError(`cluster ${cluster}: refresh failed: ${engineFailure(err)}; fix the cause and run the command again`);
    }
}

/** Preview with the pack, refusal with nothing changed, update with the pack. */
export async function deployWithPolicy(stack: Stack, s: DeploySettings, progress: Progress): Promise<UpResult> {
    const unchanged = s.unchanged ?? "nothing was changed";
    let preview: Awaited<ReturnType<typeof previewWithPolicy>>;
    let unjudged: string[] = [];
    try {
        const deployment = await recoverStack(stack, s.what, s.ctx);
        if (s.refresh) await refreshStack(stack, s.cluster, s.what, s.ctx);
        else unjudged = (await readBackDeleted(stack, deployment, s.cluster, s.what, s.ctx)).unjudged;
        s.ctx.say(`[bcm ${s.what}] previewing ${s.cluster} with the policy pack`);
        preview = await previewWithPolicy(stack, s.policyConfig, s.ctx);
    } catch (err) {
        await s.undo?.();
        throw err;
    }
    if (preview.violations.length > 0 || preview.error !== undefined) {
        await s.undo?.();
        if (preview.violations.length > 0) throw refusal(s.cluster, preview.violations, s.ctx, unchanged);
        throw new CliError(`cluster ${s.cluster}: preview failed: ${preview.error}; ${unchanged}`);
    }
    // The live status line counts against what the preview planned.
    progress.plan(preview.changes);
    try {
        await s.hooks?.beforeUpdate?.(preview.changes);
    } catch (err) {
        await s.undo?.();
        throw err;
    }
    const collector = violationCollector();
    const up = () =>
        stack.up({
            policyPacks: [policyDir],
            policyPackConfigs: [s.policyConfig],
            signal: s.ctx.signal,
            onEvent: (e) => {
                collector.onEvent(e);
                progress.onEvent(e);
            },
        });
    let result: UpResult;
    try {
        result = await up();
        // A container made again by this update held Docker objects the state records: with its
        // docker volume lost, they are gone too (the gateway's swarm with every service, secret
        // and network on it), which only its dockerd, running now, can show. What is gone is
        // read back and made by a second update, so one run finishes the job.
        if (unjudged.length > 0) {
            s.ctx.say(`[bcm ${s.what}] ${unjudged.join(", ")} made again: looking for the Docker objects it held`);
            const again = await readBackDeleted(stack, (await stack.exportStack()).deployment, s.cluster, s.what, s.ctx);
            if (again.readBack > 0) result = await up();
        }
    } catch (err) {
        progress.finish();
        if (s.ctx.signal?.aborted) throw interrupted(`${s.what} of ${s.cluster}`);
        // What the service's tasks say, read before a rollback takes them away.
        const tasks = collector.violations.length > 0 ? "" : await tasksOfUnconverged(stack, err);
        const after = await s.hooks?.onFailure?.(collector.violations.length > 0 ? `a mandatory policy refused it` : engineFailure(err) + tasks);
        if (collector.violations.length > 0) throw refusal(s.cluster, collector.violations, s.ctx, after ?? "some resources may have changed");
        throw new CliError(`cluster ${s.cluster}: ${s.what} failed: ${engineFailure(err)}${tasks}; ${after ? `${after}; ` : ""}${s.fix ?? "fix the cause and run the command again"}`);
    }
    if (s.hooks?.afterUpdate) {
        try {
            await s.hooks.afterUpdate(result);
        } catch (err) {
            const why = (err as Error).message.split("\n")[0];
            const after = await s.hooks.onFailure?.(why);
            throw new CliError(`cluster ${s.cluster}: ${s.what} failed after the update: ${why}; ${after ? `${after}; ` : ""}${s.fix ?? "fix the cause and run the command again"}`);
        }
    }
    return result;
}

/** Why the services a failure names as not converged did not (serviceDiagnosis.ts), or "". */
async function tasksOfUnconverged(stack: Stack, err: unknown): Promise<string> {
    const failure = err instanceof Error ? err.message : String(err);
    if (!/did not converge/.test(failure)) return "";
    const runner = lxdDockerRunner();
    try {
        const resources = ((await stack.exportStack()).deployment as { resources?: StoredResource[] } | undefined)?.resources ?? [];
        return await explainUnconverged(failure, resources, runner.run);
    } catch {
        return "";
    } finally {
        runner.close();
    }
}
