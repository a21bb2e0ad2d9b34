// `bcm lightning identity|seed|backups|restore`, `bcm lncli` and `bcm bitcoin-cli`: the
// Lightning node of a cluster from the controller (automation/lightning). Secrets go from the
// device to where they are used (stdin, the screen) and nowhere else.
import { Command, Option } from "commander";
import { chains } from "../../../components/bitcoin/chains";
import { checkClusterName } from "../../../components/datacenter/spec";
import { bitcoinCliCommand, lncliCommand } from "../../lightning/decisions";
import { lightningBackups } from "../../lightning/backups";
import { deployedNode } from "../../lightning/deployed";
import { lightningIdentity } from "../../lightning/identity";
import { runInTask } from "../../lightning/nodeTask";
import { lightningRestore } from "../../lightning/restore";
import { lightningSeed } from "../../lightning/seed";
import { usage, withContext } from "./cluster";

const clusterOption = () => new Option("--cluster <name>", "the cluster (see `bcm cluster list`)").makeOptionMandatory();

/** Runs a node's own CLI in its task; its output as is, its exit code as ours. */
async function nodeCli(cluster: string, pick: "lnd" | "node", args: string[]): Promise<void> {
    usage(() => checkClusterName(cluster));
    const r = await withContext(async (ctx) => {
        const node = await deployedNode(cluster, ctx);
        const command = pick === "lnd" ? lncliCommand(node.chain, args) : bitcoinCliCommand(node.implementation, args);
        return runInTask(node, pick === "lnd" ? node.lndService : node.nodeService, command);
    });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    // Ours is the node CLI's (main() keeps an exit code an action set).
    process.exitCode = r.exitCode;
}

export function registerLightning(program: Command): void {
    const lightning = program.command("lightning").description("the cluster's Lightning node (lnd): its identity, seed words, channel backups and restore, all from the device");

    lightning
        .command("identity")
        .description("print the node's identity pubkey and first on-chain address as JSON, computed on the controller from the device alone")
        .addOption(clusterOption())
        .addOption(new Option("--chain <chain>", "the chain (a cluster runs one)").choices([...chains]).makeOptionMandatory())
        .addHelpText(
            "after",
            "\nNo stack is needed. When the cluster exists it must run that chain; when its lnd runs, its getinfo must\n" +
                "show the same pubkey, else the device answers for another seed (exit 1).",
        )
        .action(async (o: { cluster: string; chain: string }) => {
            usage(() => checkClusterName(o.cluster));
            const id = await withContext((ctx) => lightningIdentity(o.cluster, o.chain, ctx));
            console.log(JSON.stringify({ nodePubkey: id.nodePubkey, firstAddress: id.firstAddress }));
        });

    lightning
        .command("seed")
        .description("show the wallet's 24 aezeed words and birthday for a paper backup, after a confirmation on the device")
        .addOption(clusterOption())
        .addHelpText(
            "after",
            "\nThe words are printed to stdout only: write them on paper and keep them like the Trezor's own words.\n" +
                "With them and the birthday any lnd restores this wallet (lncli create, \"I have an aezeed\"). They are made by\n" +
                "bcm-lnd-seed from the lnd image on this controller's dockerd, without a network.",
        )
        .action(async (o: { cluster: string }) => {
            usage(() => checkClusterName(o.cluster));
            const s = await withContext((ctx) => lightningSeed(o.cluster, ctx));
            const lines = s.words.map((w, i) => `${String(i + 1).padStart(2, " ")}. ${w}`);
            process.stdout.write(
                `lnd wallet of cluster ${o.cluster} (${s.chain}), aezeed without passphrase\n` +
                    [0, 6, 12, 18].map((i) => lines.slice(i, i + 6).map((l) => l.padEnd(16)).join("")).join("\n") +
                    `\nbirthday: ${s.birthday} (${s.birthdayDays} days after the genesis block)\n`,
            );
        });

    lightning
        .command("backups")
        .description("list the channel backups kept on the chain volume (newest first); with --fetch, decrypt the newest with the device into DIR")
        .addOption(clusterOption())
        .option("--fetch <dir>", "fetch the newest backup, decrypt it with the device and write it to DIR (mode 0600)")
        .option("--json", "print the index as JSON")
        .action(async (o: { cluster: string; fetch?: string; json?: boolean }) => {
            usage(() => checkClusterName(o.cluster));
            const { index, fetched } = await withContext((ctx) => lightningBackups(o.cluster, ctx, o.fetch));
            if (o.json) console.log(JSON.stringify(index, null, 2));
            else {
                console.log(`node ${index.nodePubkey}, encrypted to ${index.recipient}`);
                for (const b of index.backups) console.log(`${b.time}  ${String(b.channels).padStart(3)} channel(s)  ${String(b.size).padStart(7)} bytes  ${b.file}`);
            }
            if (fetched) console.log(`fetched: ${fetched}`);
        });

    lightning
        .command("restore")
        .description("restore a channel backup into the running lnd: its peers force-close and the funds come back to the wallet")
        .addOption(clusterOption())
        .requiredOption("--file <file>", "a backup fetched with `bcm lightning backups --fetch`, or a kept .pgp file (decrypted with the device)")
        .addHelpText("after", "\nThe backup reaches `lncli restorechanbackup` on its standard input only (never an argument, the environment or a file).")
        .action(async (o: { cluster: string; file: string }) => {
            usage(() => checkClusterName(o.cluster));
            const out = await withContext((ctx) => lightningRestore(o.cluster, o.file, ctx));
            if (out) console.log(out);
            console.log(`restored into cluster ${o.cluster}'s lnd: its peers are asked to force-close; the funds return after their CSV delay`);
        });

    program
        .command("lncli")
        .description("run lncli in the cluster's lnd task (no RPC port is published): `bcm lncli --cluster C -- getinfo`")
        .addOption(clusterOption())
        .argument("[args...]", "lncli's own arguments (after --)")
        .addHelpText("after", "\nPrints lncli's output and exits with its exit code.")
        .action((args: string[], o: { cluster: string }) => nodeCli(o.cluster, "lnd", args));

    program
        .command("bitcoin-cli")
        .description("run the full node's own CLI in its task (btcctl for btcd, bitcoin-cli for bitcoind): `bcm bitcoin-cli --cluster C -- getblockcount`")
        .addOption(clusterOption())
        .argument("[args...]", "the CLI's own arguments (after --)")
        .addHelpText("after", "\nPrints the CLI's output and exits with its exit code.")
        .action((args: string[], o: { cluster: string }) => nodeCli(o.cluster, "node", args));
}
