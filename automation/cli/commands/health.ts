// `bcm health --cluster C [--json]`: every health check of a cluster, one line each (OK, WARN or
// FAIL with the reason), exit 1 when any fails: for people, scripts and monitors.
import { Command, Option } from "commander";
import { checkClusterName } from "../../../components/datacenter/spec";
import { exitStatus, worst } from "../../health/verdict";
import { CliError } from "../errors";
import { usage, withContext } from "./cluster";
import { addHealthOptions, HealthFlags, printHealth, runHealth } from "./healthShared";

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
