// What `bcm health` and `bcm show --health` share: the threshold flags, the run, the printing.
import { Command } from "commander";
import { SpecError } from "../../../components/datacenter/spec";
import { healthReport, HealthReport } from "../../health/report";
import { thresholdsFrom, ThresholdFlags } from "../../health/options";
import { formatVerdicts, worst } from "../../health/verdict";
import { ClusterContext } from "../../cluster/workspace";
import { CliError } from "../errors";
import { ExitCode } from "../exitCodes";

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
    let t: ReturnType<typeof thresholdsFrom>;
    try {
        t = thresholdsFrom(o);
    } catch (err) {
        throw err instanceof SpecError ? new CliError(err.message, ExitCode.usage) : err;
    }
    return healthReport(cluster, ctx, { ...t, onions: o.onions !== false });
}

/** The report as printed (notes after the lines). */
export function printHealth(r: HealthReport): void {
    console.log(`health of ${r.cluster} at ${r.checked}: ${worst(r.verdicts)}`);
    for (const l of formatVerdicts(r.verdicts)) console.log(`  ${l}`);
    for (const n of r.notes) console.log(`  note: ${n}`);
}

