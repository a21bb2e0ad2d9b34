// `bcm lightning backups`: the channel backups bcm-chanbackup keeps on the chain volume
// (index.json, newest first), and the newest fetched through the LXD files API and decrypted
// with the device (the controller's OpenPGP key) into a directory of the user's, mode 0600.
import * as fs from "node:fs";
import * as path from "node:path";
import { backupDir } from "../../components/bitcoin/lightning";
import { chainDataVolume } from "../../components/bitcoin/bitcoinTier";
import { pullFile } from "../../components/lxd/client";
import { isLxdError } from "../../components/lxd/client/errors";
import { Device } from "../../device/device";
import { deviceFromEnvironment } from "../../device/fromEnvironment";
import { decryptWithDevice } from "../../device/gpg/gpgDecrypt";
import { CliError } from "../cli/errors";
import { controllerKey } from "../cluster/controllerKey";
import { ClusterContext } from "../cluster/workspace";
import { BackupIndex, fetchedName, parseBackupIndex } from "./decisions";
import { clientOf, DeployedNode, deployedNode } from "./deployed";

/** The backups' directory as the tier container sees it (the chain volume's). */
function volumeDir(node: DeployedNode): string {
    return `${chainDataVolume(node.chain, false).path}/${path.posix.basename(backupDir)}`;
}

async function pull(node: DeployedNode, file: string): Promise<Buffer | undefined> {
    const client = await clientOf(node, node.chainContainer);
    try {
        return (await pullFile(client, node.chainContainer, `${volumeDir(node)}/${file}`)).content;
    } catch (err) {
        if (isLxdError(err, 404)) return undefined;
        throw err;
    }
}

/** The kept backups of a deployed node. */
export async function listBackups(node: DeployedNode): Promise<BackupIndex> {
    const text = await pull(node, "index.json");
    if (!text) throw new CliError(`cluster ${node.cluster} has no channel backups yet (no index.json); fix: wait for lnd-backup-${node.chain} to start (\`bcm show ${node.cluster}\`)`);
    return parseBackupIndex(text.toString("utf8"));
}

/** Decrypts an OpenPGP message to the controller's key with the device. */
export async function decryptBackup(ctx: ClusterContext, ciphertext: Uint8Array, device?: Device): Promise<Uint8Array> {
    const d = device ?? (await deviceFromEnvironment(ctx.env));
    try {
        const key = await controllerKey(ctx.home, d);
        ctx.say(`decrypting with the device's key for ${key.identity.userId}`);
        return await decryptWithDevice(d, key, ciphertext);
    } catch (err) {
        if (err instanceof CliError) throw err;
        throw new CliError(`the backup does not decrypt with this device (${(err as Error).message.split("\n")[0]}); fix: use the Trezor that ran \`bcm init\` for this controller`);
    } finally {
        if (!device) await d.close();
    }
}

export async function lightningBackups(cluster: string, ctx: ClusterContext, fetchDir?: string): Promise<{ index: BackupIndex; fetched?: string }> {
    const node = await deployedNode(cluster, ctx);
    const index = await listBackups(node);
    if (fetchDir === undefined) return { index };
    const newest = index.backups[0];
    if (!newest) throw new CliError(`cluster ${cluster}: index.json lists no backup yet; fix: wait for lnd-backup-${node.chain}'s first backup`);
    const ciphertext = await pull(node, newest.file);
    if (!ciphertext) throw new CliError(`cluster ${cluster}: ${newest.file} is listed but gone (a newer backup replaced it); fix: run the command again`);
    const clear = await decryptBackup(ctx, ciphertext);
    fs.mkdirSync(fetchDir, { recursive: true, mode: 0o700 });
    const out = path.join(fetchDir, fetchedName(newest.file));
    fs.writeFileSync(out, clear, { mode: 0o600 });
    fs.chmodSync(out, 0o600);
    return { index, fetched: out };
}
