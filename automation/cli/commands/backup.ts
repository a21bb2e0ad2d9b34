// `bcm backup create|list|verify|restore` (automation/backup): encrypted backups of a
// cluster's data center, each tier's archive encrypted to the controller's certificate, the
// manifest signed by the device; restore onto a fresh cluster of the same name.
import * as path from "node:path";
import { Command, Option } from "commander";
import { checkClusterName } from "../../../components/datacenter/spec";
import { defaultBackupRoot, findBackups, formatBytes } from "../../backup/backupDir";
import { createBackup } from "../../backup/create";
import { restoreBackup } from "../../backup/restore";
import { verifyBackup } from "../../backup/verify";
import { bcmHome } from "../../../engine";
import { usage, withContext } from "./cluster";

const clusterOption = () => new Option("--cluster <name>", "the cluster (see `bcm cluster list`)").makeOptionMandatory();

export function registerBackup(program: Command): void {
    const backup = program
        .command("backup")
        .description("encrypted backups of a cluster's data center (to the controller's OpenPGP key; only the device decrypts them) and restore onto a fresh cluster");

    backup
        .command("create")
        .description("back up every tier's data that cannot be made again: one archive per tier, encrypted to the controller's certificate, a manifest of SHA-256 sums signed by the device")
        .addOption(clusterOption())
        .option("--to <dir>", "the directory the backup's own directory is made in (default $BCM_HOME/backups/<cluster>)")
        .option("--kafka", "also take Kafka's topics: the brokers' and the KRaft controllers' data, the kafka tier paused meanwhile")
        .addHelpText(
            "after",
            "\nWhat is taken: the stack's state (its drawn keys: the onion services' keys, the RPC password and\n" +
                "certificate; secret values stay encrypted under the stack's passphrase) and config (gateway.tar.pgp);\n" +
                "lnd's wallet, channel database and the encrypted channel backups (bitcoin.tar.pgp), read with lnd\n" +
                "and its backup service paused (scaled to 0, and back). Not taken: the chain and the Electrum index\n" +
                "(rebuilt), the registry's content (pushed again by a deploy), Kafka's topics unless --kafka.\n" +
                "Restore only the newest backup of a Lightning node: an older channel database can lose the channels' funds.",
        )
        .action(async (o: { cluster: string; to?: string; kafka?: boolean }) => {
            usage(() => checkClusterName(o.cluster));
            const b = await withContext((ctx) => createBackup(o.cluster, { ...(o.to ? { to: path.resolve(o.to) } : {}), kafka: o.kafka === true }, ctx));
            console.log(`backup of ${o.cluster}: ${b.dir} (${b.seconds.toFixed(1)} s)`);
            for (const a of b.manifest.archives) console.log(`  ${a.file.padEnd(20)} ${formatBytes(a.encryptedBytes).padStart(10)}  ${a.contents.join("; ")}`);
            for (const s of b.skipped) console.log(`  not taken: ${s}`);
        });

    backup
        .command("list")
        .description("the backups of a cluster, oldest first (read from their manifests; nothing is decrypted)")
        .addOption(clusterOption())
        .option("--in <dir>", "where the backups are (default $BCM_HOME/backups/<cluster>)")
        .option("--json", "print JSON")
        .action((o: { cluster: string; in?: string; json?: boolean }) => {
            usage(() => checkClusterName(o.cluster));
            const root = o.in ? path.resolve(o.in) : defaultBackupRoot(bcmHome(), o.cluster);
            const { backups, problems } = findBackups(root);
            const mine = backups.filter((b) => b.manifest.cluster === o.cluster);
            if (o.json) {
                console.log(JSON.stringify(mine.map((b) => ({ dir: b.dir, created: b.manifest.created, bytes: b.bytes, tiers: b.manifest.archives.map((a) => a.tier) })), null, 2));
            } else {
                if (mine.length === 0) console.log(`no backups of ${o.cluster} in ${root} (make one with \`bcm backup create --cluster ${o.cluster}\`)`);
                for (const b of mine) console.log(`${b.manifest.created}  ${formatBytes(b.bytes).padStart(10)}  ${b.manifest.archives.map((a) => a.tier).join(",")}  ${b.dir}`);
            }
            for (const p of problems) process.stderr.write(`bcm: unreadable backup: ${p}\n`);
        });

    backup
        .command("verify <dir>")
        .description("check a backup: the manifest's signature, every archive's SHA-256, and that the device decrypts each one to the tar the manifest names; exit 1 naming what is wrong")
        .action(async (dir: string) => {
            const v = await withContext((ctx) => verifyBackup(path.resolve(dir), ctx));
            for (const l of v.lines) console.log(l);
            console.log(`backup ${v.dir} verified`);
        });

    backup
        .command("restore")
        .description("make a cluster again from a verified backup, on this BCM home's endpoints: the same onion addresses, the same Lightning node with its wallet and channel database")
        .addOption(clusterOption())
        .addOption(new Option("--from <dir>", "the backup's directory (see `bcm backup list`)").makeOptionMandatory())
        .addHelpText(
            "after",
            "\nThe cluster must not exist (`bcm cluster destroy <name>` first; its kept chain volume is taken back,\n" +
                "so the chain is not downloaded again). The backup is verified first; a changed archive or manifest is\n" +
                "refused before anything is made. The stack is made from the backup's settings and drawn keys, deployed\n" +
                "with the policy pack, and each tier's data put back with its services paused.\n" +
                "Restore only the newest backup of a Lightning node: an older channel database can lose the channels' funds.",
        )
        .action(async (o: { cluster: string; from: string }) => {
            usage(() => checkClusterName(o.cluster));
            const r = await withContext((ctx) => restoreBackup(o.cluster, path.resolve(o.from), ctx));
            for (const l of r.lines) console.log(l);
            console.log(`cluster ${r.cluster} restored (${r.seconds.toFixed(1)} s)`);
        });
}
