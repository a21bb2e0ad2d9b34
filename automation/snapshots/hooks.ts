// The deploy's hooks for `bcm:snapshots` (DeployHooks in cluster/deploy.ts): snapshots before
// an update that changes something, a health gate after it, and the rollback when either the
// update or the gate fails.
import * as fs from "node:fs";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { defaultSnapshotSettings, SnapshotSettings } from "../../components/datacenter/snapshotSettings";
import type { DataCenterSpec } from "../../components/datacenter/dataCenterSpec";
import { checkSpace } from "../space/check";
import type { DeployHooks } from "../cluster/deploy";
import { ClusterContext, openCluster } from "../cluster/workspace";
import { configFile } from "../backup/stackFiles";
import type { Endpoints } from "./inventory";
import { rollbackTo } from "./rollback";
import { takeSnapshots } from "./take";
import { waitHealthy } from "./healthGate";
import type { SnapshotRecord } from "./record";

/** The stack's settings file as it is now: call before changing its config. */
export function currentConfigText(stack: Stack): string {
    const file = configFile(stack.workspace as LocalWorkspace, stack.name);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

/** The line a rollback's result is said in. */
export function describeRollback(name: string, r: { restored: string[]; deleted: string[]; problems: string[] }): string {
    const parts = [`rolled back to snapshot ${name}: restored ${r.restored.length} container(s) and volume(s) and the stack's previous state`];
    if (r.deleted.length > 0) parts.push(`deleted what the update made (${r.deleted.join(", ")})`);
    if (r.problems.length > 0) parts.push(`NOT restored: ${r.problems.join("; ")}`);
    return parts.join("; ");
}

/** The hooks; `spec` (the data center being deployed) also has the pool's space checked first. */
export function snapshotHooks(given: { stack: Stack; cluster: string; ctx: ClusterContext; settings: SnapshotSettings | undefined; previousConfig: string; spec?: DataCenterSpec }): DeployHooks {
    const a = { ...given, settings: given.settings ?? defaultSnapshotSettings };
    let taken: { dir: string; record: SnapshotRecord; endpoints: Endpoints; dockerHost?: string } | undefined;
    return {
        async beforeUpdate(changes) {
            if (changes === 0) return;
            const { specs, exported } = await openCluster(a.cluster, a.ctx);
            const endpoints = { exported, specs };
            await checkSpace(a.cluster, a.spec, endpoints, a.settings.enabled, a.ctx.say);
            if (!a.settings.enabled) return;
            const t = await takeSnapshots({ cluster: a.cluster, stack: a.stack, endpoints, keep: a.settings.keep, previousConfig: a.previousConfig, home: a.ctx.home, say: a.ctx.say });
            const dockerHost = ((await a.stack.outputs()).dataCenter?.value as { dockerHost?: string } | undefined)?.dockerHost;
            if (t) taken = { ...t, endpoints, ...(dockerHost ? { dockerHost } : {}) };
        },
        async afterUpdate() {
            if (!taken) return;
            const dockerHost = ((await a.stack.outputs()).dataCenter?.value as { dockerHost?: string } | undefined)?.dockerHost;
            await waitHealthy(a.cluster, dockerHost, a.settings.healthSeconds, a.ctx, { stack: a.stack, ...taken.endpoints });
        },
        async onFailure(reason) {
            if (!taken) return a.settings.enabled ? "nothing was rolled back (no snapshot: the cluster had no container yet)" : "nothing was rolled back (bcm:snapshots.enabled is false)";
            a.ctx.say(`[bcm rollback] the update failed (${reason}): rolling back`);
            const r = await rollbackTo({ cluster: a.cluster, stack: a.stack, endpoints: taken.endpoints, dir: taken.dir, record: taken.record, say: a.ctx.say });
            return describeRollback(taken.record.name, r);
        },
    };
}
