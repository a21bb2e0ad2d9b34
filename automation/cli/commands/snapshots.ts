// `bcm cluster rollback <name>` and `bcm cluster snapshots <name>` (automation/snapshots).
import { Command } from "commander";
import { checkClusterName } from "../../../components/datacenter/spec";
import { bcmHome } from "../../../engine";
import { listSnapshots, rollbackCluster } from "../../snapshots/manual";
import { usage, withContext } from "./cluster";

/** Adds the snapshot commands to `bcm cluster`. */
export function registerSnapshots(cluster: Command): void {
    cluster
        .command("snapshots <name>")
        .description("the cluster's pre-update snapshots (taken before every update that changes it, bcm:snapshots), oldest first")
        .action((name: string) => {
            usage(() => checkClusterName(name));
            const records = listSnapshots(bcmHome(), name);
            if (records.length === 0) console.log(`cluster ${name} has no snapshots`);
            for (const r of records) console.log(`${r.name}  ${r.created}  ${r.objects.length} container(s) and volume(s)`);
        });

    cluster
        .command("rollback <name>")
        .description("put the cluster back as its newest pre-update snapshot had it: containers, volumes and the stack's state (the containers restart)")
        .option("--to <snapshot>", "another snapshot (see `bcm cluster snapshots <name>`)")
        .addHelpText(
            "after",
            "\nThe cluster's containers are stopped, what was made after the snapshot is deleted, every container and\n" +
                "volume is put back as it was (data written since is lost: take a backup first if it matters), the\n" +
                "stack's state and settings as they were, and the containers that were running are started again.\n" +
                "A failed update rolls back by itself (bcm:snapshots, on by default); this is the same by hand.",
        )
        .action(async (name: string, o: { to?: string }) => {
            usage(() => checkClusterName(name));
            const line = await withContext((ctx) => rollbackCluster(name, o.to, ctx));
            console.log(line);
        });
}
