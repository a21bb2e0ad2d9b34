// `bcm cluster rollback` and `bcm cluster snapshots`: back to a pre-update snapshot by hand,
// and the snapshots there are.
import { CliError } from "../cli/errors";
import { ClusterContext, openCluster } from "../cluster/workspace";
import { describeRollback } from "./hooks";
import { readRecords, SnapshotRecord } from "./record";
import { rollbackTo } from "./rollback";

export function listSnapshots(home: string, cluster: string): SnapshotRecord[] {
    return readRecords(home, cluster).map((r) => r.record);
}

/** Rolls the cluster back to its newest snapshot, or the one named; the line that says what was done. */
export async function rollbackCluster(cluster: string, to: string | undefined, ctx: ClusterContext): Promise<string> {
    const records = readRecords(ctx.home, cluster);
    if (records.length === 0) throw new CliError(`cluster ${cluster} has no snapshot in ${ctx.home}; snapshots are taken before an update that changes it (bcm:snapshots)`);
    const chosen = to === undefined ? records[records.length - 1] : records.find((r) => r.record.name === to);
    if (!chosen) throw new CliError(`cluster ${cluster} has no snapshot ${to}; fix: \`bcm cluster snapshots ${cluster}\` lists them`);
    const { stack, specs, exported } = await openCluster(cluster, ctx);
    const r = await rollbackTo({ cluster, stack, endpoints: { exported, specs }, dir: chosen.dir, record: chosen.record, say: ctx.say });
    const line = describeRollback(chosen.record.name, r);
    if (r.problems.length > 0) throw new CliError(`cluster ${cluster}: ${line}`);
    return line;
}
