// `bcm lightning restore`: a channel backup back into lnd, which asks every peer to force-close
// and so returns the channels' funds to the wallet. The backup (decrypted with the device when
// it is the encrypted file) reaches `lncli restorechanbackup` on its standard input only.
import * as fs from "node:fs";
import * as path from "node:path";
import { CliError } from "../cli/errors";
import { ClusterContext } from "../cluster/workspace";
import { decryptBackup } from "./backups";
import { isEncryptedBackup, lncliCommand } from "./decisions";
import { deployedNode } from "./deployed";
import { runInTask } from "./nodeTask";

export async function lightningRestore(cluster: string, file: string, ctx: ClusterContext): Promise<string> {
    let bytes: Uint8Array;
    try {
        bytes = fs.readFileSync(file);
    } catch (err) {
        throw new CliError(`--file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; fix: give a backup fetched with \`bcm lightning backups --cluster ${cluster} --fetch DIR\``);
    }
    const node = await deployedNode(cluster, ctx);
    const backup = isEncryptedBackup(path.basename(file), bytes) ? await decryptBackup(ctx, bytes) : bytes;
    const r = await runInTask(node, node.lndService, lncliCommand(node.chain, ["restorechanbackup", "--multi_file=/dev/stdin"]), Buffer.from(backup));
    if (r.exitCode !== 0) {
        const why = (r.stderr.trim() || r.stdout.trim()).split("\n").pop() ?? `exit ${r.exitCode}`;
        throw new CliError(`lncli restorechanbackup failed: ${why}; fix: restore a backup of this node (the device's), with its wallet unlocked (\`bcm lncli --cluster ${cluster} -- state\`)`);
    }
    return r.stdout.trim();
}
