// `bcm stack deploy|remove|list`: tiers on a cluster (automation/cluster/stackOperations.ts).
import { Command, Option } from "commander";
import { changeTier, checkTierName, listTiers } from "../../cluster/stackOperations";
import { checkClusterName } from "../../../components/datacenter/spec";
import { usage, withContext } from "./cluster";
import { bcmHome } from "../../../engine/paths";
import { DataCenterOutput, formatSummary, summaryJson, writeClientKeys } from "../../summary";

export function registerStack(program: Command): void {
    const stack = program
        .command("stack")
        .description("tiers on a cluster (the seed's `bcm project`): each is part of the cluster's stack config, deployed with the policy pack");
    const clusterOption = () => new Option("--cluster <name>", "the cluster (see `bcm cluster list`)").makeOptionMandatory();

    stack
        .command("deploy <tier>")
        .description("deploy a tier (gateway, or another tier joined to the gateway's swarm, which comes with it): preview with the policy pack, then up")
        .addOption(clusterOption())
        .addOption(new Option("--tor <network>", "the Tor network the gateway joins; needed on the first deploy").choices(["public", "offline"]))
        .option("--refresh", "read every resource back from the endpoints first, so drift (objects changed or deleted behind BCM's back) is put right by this deploy")
        .addHelpText("after", "\nA mandatory policy violation stops before anything changes (exit 3) and the cluster's config is put back.")
        .option("--json", "print the data center as JSON (credentials and client keys left out) instead of the summary")
        .action(async (tier: string, o: { cluster: string; tor?: string; json?: boolean; refresh?: boolean }) => {
            usage(() => checkClusterName(o.cluster) && checkTierName(tier));
            const dc = (await withContext((ctx) => changeTier(o.cluster, "deploy", tier, { tor: o.tor, refresh: o.refresh }, ctx))) as DataCenterOutput;
            const keyFiles = writeClientKeys(bcmHome(), o.cluster, dc.onions);
            if (o.json) console.log(summaryJson(dc, keyFiles));
            else console.log(formatSummary(`tier ${tier} is up on cluster ${o.cluster}`, dc, keyFiles).join("\n"));
        });

    stack
        .command("remove <tier>")
        .description("remove a tier and everything in it (the gateway last: it carries the others)")
        .addOption(clusterOption())
        .action(async (tier: string, o: { cluster: string }) => {
            usage(() => checkClusterName(o.cluster) && checkTierName(tier));
            await withContext((ctx) => changeTier(o.cluster, "remove", tier, {}, ctx));
            console.log(`tier ${tier} removed from cluster ${o.cluster}`);
        });

    stack
        .command("list")
        .description("list the tiers deployed on a cluster with their placement")
        .addOption(clusterOption())
        .option("--json", "print JSON")
        .action(async (o: { cluster: string; json?: boolean }) => {
            usage(() => checkClusterName(o.cluster));
            const tiers = await withContext((ctx) => listTiers(o.cluster, ctx));
            if (o.json) return console.log(JSON.stringify(tiers, null, 2));
            if (tiers.length === 0) console.log(`no tiers on cluster ${o.cluster} (deploy one with \`bcm stack deploy gateway --cluster ${o.cluster} --tor offline\`)`);
            for (const t of tiers) console.log(`${t.tier}  ${JSON.stringify(t.placement)}`);
        });
}
