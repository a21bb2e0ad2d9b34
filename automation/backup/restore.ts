// `bcm backup restore --cluster C --from DIR`: a verified backup made into the cluster C again
// on this BCM home's endpoints. The cluster must not exist (destroyed, or a new machine): its
// stack is made from the backup's settings and the state's drawn keys (stateFilter.ts), so the
// deploy that follows brings back the same onion addresses, RPC password and certificate; then
// each tier's data is put back with its services paused (lnd finds its wallet and channel
// database, and unlocks them with the same device-derived password).
import * as fs from "node:fs";
import { Stack } from "@pulumi/pulumi/automation";
import { Progress, stackPassphrase } from "../../engine";
import { CliError } from "../cli/errors";
import { deployWithPolicy } from "../cluster/deploy";
import { prepareDeploy } from "../cluster/deviceValues";
import { imagePaths } from "../cluster/lifecycle";
import { writePolicyConfig } from "../cluster/policyConfig";
import { ClusterContext, clusterNames, clusterWorkspace, deviceKindOf, openCluster, plainConfig } from "../cluster/workspace";
import { writeClientKeys } from "../summary";
import { clientHolding } from "./instanceClient";
import { backupPlan } from "./plan";
import { buffersOf, configEntry, configFile, filesOf, stateEntry } from "./stackFiles";
import { Deployment, keptState } from "./stateFilter";
import { withServicesPaused, writeItem } from "./tierData";
import { verifyBackup } from "./verify";

/** The onion addresses a backed-up state's stack outputs name, by service (plain outputs only). */
export function backedUpOnions(d: Deployment): Record<string, string> {
    const root = (d.deployment.resources ?? []).find((r) => r.type === "pulumi:pulumi:Stack");
    const onions = ((root?.outputs as { dataCenter?: { onions?: Record<string, { address?: unknown }> } } | undefined)?.dataCenter?.onions ?? {}) as Record<string, { address?: unknown }>;
    return Object.fromEntries(Object.entries(onions).flatMap(([s, o]) => (typeof o?.address === "string" ? [[s, o.address]] : [])));
}

export interface RestoredCluster {
    cluster: string;
    lines: string[];
    onions: Record<string, string>;
    seconds: number;
}

export async function restoreBackup(cluster: string, from: string, ctx: ClusterContext): Promise<RestoredCluster> {
    const started = Date.now();
    const verified = await verifyBackup(from, ctx);
    const lines = [...verified.lines];
    const m = verified.manifest;
    if (m.cluster !== cluster) {
        throw new CliError(`backup ${from} is of cluster ${m.cluster}, not ${cluster}: its onion keys and lnd's wallet belong to that name; fix: restore it as --cluster ${m.cluster}`);
    }
    if (!verified.plain.gateway) throw new CliError(`backup ${from} has no gateway archive (the stack's state and config); it cannot make the cluster again`);
    const files = await filesOf(verified.plain.gateway, [stateEntry, configEntry(cluster)]);
    const ws = await clusterWorkspace(ctx.home, await stackPassphrase(cluster, ctx.env));
    if ((await clusterNames(ws)).includes(cluster)) {
        throw new CliError(`cluster ${cluster} exists in ${ctx.home}; a restore makes it from the backup; fix: \`bcm cluster destroy ${cluster}\` first (its kept volumes stay), then restore`);
    }
    const state = JSON.parse(files[stateEntry]) as Deployment;
    const kept = keptState(state);
    ctx.say(`[bcm restore] ${cluster}: the stack from the backup (${kept.deployment.resources?.length ?? 0} resources of state kept: the drawn keys and what holds them)`);
    const stack = await Stack.create(cluster, ws);
    const removeStack = async () => {
        await ws.removeStack(cluster);
    };
    try {
        // The backup's settings, with the passphrase salt its secrets were encrypted under.
        fs.writeFileSync(configFile(ws, cluster), files[configEntry(cluster)], { mode: 0o600 });
        const config = await plainConfig(stack);
        // The system images are this machine's files.
        if (config["bcm:images"] !== undefined) await stack.setConfig("bcm:images", { value: JSON.stringify(await imagePaths()) });
        await stack.importStack(kept);
    } catch (err) {
        await removeStack();
        throw new CliError(`cluster ${cluster}: the backup's stack cannot be set up: ${(err as Error).message.split("\n")[0]}; nothing was deployed (the stack was removed)`);
    }
    const prepared = await prepareDeploy(stack, await plainConfig(stack), { home: ctx.home, env: ctx.env, say: ctx.say });
    await deployWithPolicy(
        stack,
        {
            cluster,
            what: "restore",
            policyConfig: writePolicyConfig(ctx.home, cluster, await deviceKindOf(ctx), prepared),
            ctx,
            undo: removeStack,
            unchanged: "nothing was deployed (the stack was removed)",
            fix: `fix the cause and run \`bcm cluster destroy ${cluster}\`, then restore again`,
        },
        new Progress("restore"),
    );
    const { specs, exported } = await openCluster(cluster, ctx);
    const dc = (await stack.outputs()).dataCenter?.value as { dockerHost?: string; onions?: Record<string, { address: string; clientAuthLines: Record<string, string> }> };
    const plan = backupPlan(cluster, dc, { kafka: verified.plain.kafka !== undefined });
    for (const item of plan.containers) {
        const tar = verified.plain[item.tier];
        if (!tar) {
            lines.push(`${item.tier}: not in the backup; it starts afresh`);
            continue;
        }
        ctx.say(`[bcm restore] ${cluster}: ${item.tier} (${item.parts.map((p) => `${p.entries.join(", ")} on ${p.instance}`).join("; ")})`);
        const tars = await buffersOf(tar, item.parts.map((p) => `${p.instance}.tar`));
        await withServicesPaused(dc.dockerHost!, item.pause, ctx.say, async () => {
            for (const part of item.parts) {
                const client = await clientHolding(part.instance, { exported, specs });
                try {
                    await writeItem(client, part, tars[`${part.instance}.tar`]);
                } finally {
                    client.close();
                }
            }
        });
        lines.push(`${item.tier}: ${item.parts.map((p) => `${p.entries.join(", ")} put back on ${p.instance}`).join("; ")}`);
    }
    writeClientKeys(ctx.home, cluster, dc.onions);
    const onions = Object.fromEntries(Object.entries(dc.onions ?? {}).map(([s, o]) => [s, o.address]));
    const before = backedUpOnions(state);
    for (const [s, address] of Object.entries(onions)) {
        lines.push(`onion ${s}: ${address}${before[s] === undefined ? "" : before[s] === address ? " (as backed up)" : ` (was ${before[s]}!)`}`);
    }
    return { cluster, lines, onions, seconds: (Date.now() - started) / 1000 };
}
