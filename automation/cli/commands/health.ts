// `bcm health --cluster C [--json]`: every health check of a cluster, one line each (OK, WARN or
// FAIL with the reason), exit 1 when any fails: for people, scripts and monitors.
import { Command, Option } from "commander";
import { checkClusterName } from "../../../components/datacenter/spec";
import { healthReport, HealthReport } from "../../health/report";
import { thresholdsFrom, ThresholdFlags } from "../../health/options";
import { exitStatus, formatVerdicts, worst } from "../../health/verdict";
import { ClusterContext } from "../../cluster/workspace";
import { CliError } from "../errors";
import { usage, withContext } from "./cluster";

/** The threshold flags, shared by `bcm health` and `bcm show --health`. */
export function addHealthOptions(c: Command): Command {
    return c
        .option("--pool-warn <percent>", "a storage pool this full is WARN (default 80)")
        .option("--pool-fail <percent>", "a storage pool this full is FAIL (default 90)")
        .option("--volume-warn <percent>", "a volume this full (of its quota, or of its pool) is WARN (default 80)")
        .option("--volume-fail <percent>", "a volume this full is FAIL (default 90)")
        .option("--backup-warn-hours <hours>", "the newest backup this old is WARN (default 26)")
        .option("--backup-fail-hours <hours>", "the newest backup this old is FAIL (default 168)")
        .option("--tor-grace <seconds>", "a Tor below 100% bootstrapped this long after it started is FAIL, before that WARN (default 300)")
        .option("--no-onions", "do not probe the onion services through Tor (each probe can take a minute)");
}

export type HealthFlags = ThresholdFlags & { onions?: boolean };

/** Reads and judges a cluster's health with the flags' thresholds. */
export function runHealth(cluster: string, o: HealthFlags, ctx: ClusterContext): Promise<HealthReport> {
    const t = usage(() => thresholdsFrom(o));
    return healthReport(cluster, ctx, { ...t, onions: o.onions !== false });
}

/** The report as printed (notes after the lines). */
export function printHealth(r: HealthReport): void {
    console.log(`health of ${r.cluster} at ${r.checked}: ${worst(r.verdicts)}`);
    for (const l of formatVerdicts(r.verdicts)) console.log(`  ${l}`);
    for (const n of r.notes) console.log(`  note: ${n}`);
}

export function registerHealth(program: Command): void {
    addHealthOptions(
        program
            .command("health")
            .description("check a cluster's data center: Tor and its onion services, the node, lnd, Kafka, every volume and pool, the newest backup; each line OK, WARN or FAIL with the reason; exit 1 when any check fails")
            .addOption(new Option("--cluster <name>", "the cluster (see `bcm cluster list`)").makeOptionMandatory())
            .option("--json", "print JSON: {cluster, checked, status, verdicts: [{tier, check, level, reason}], notes}"),
    )
        .addHelpText(
            "after",
            "\nChecks: Tor bootstrapped (percent) and its last circuit; each public onion service reached through\n" +
                "the gateway's Tor now (services with client authorization are named, not probed); the node's height,\n" +
                "peers and sync; lnd's sync to chain and graph and its channels; Kafka's under-replicated partitions;\n" +
                "the use of every pool and of the cluster's volumes against the thresholds; the newest backup's age.\n" +
                "Exit status: 0 when nothing FAILs (WARN lines included), 1 when any check FAILs.",
        )
        .action(async (o: HealthFlags & { cluster: string; json?: boolean }) => {
            usage(() => checkClusterName(o.cluster));
            const r = await withContext((ctx) => runHealth(o.cluster, o, ctx));
            if (o.json) console.log(JSON.stringify({ ...r, status: worst(r.verdicts) }, null, 2));
            else printHealth(r);
            if (exitStatus(r.verdicts) !== 0) {
                const failed = r.verdicts.filter((v) => v.level === "FAIL");
                throw new CliError(`cluster ${o.cluster}: ${failed.length} check(s) FAIL: ${failed.map((v) => `${v.tier} ${v.check}`).join(", ")}`);
            }
        });
}
