// The lightning commands' decisions, as pure functions (tested directly): which chain, whether
// the running node is the device's, which backup, what a file holds, how a node CLI is called.
import { Chain, chains, Implementation, networkFlag } from "../../components/bitcoin/chains";
import { paths } from "../../components/bitcoin/config";

/** The chain a command works on: the cluster's own, or the one asked for, which must be it. */
export function chainFor(cluster: string, asked: string | undefined, stackChain: string | undefined): Chain {
    const runs = stackChain ?? "regtest";
    if (!(chains as readonly string[]).includes(runs)) throw new Error(`cluster ${cluster}: bcm:chain is ${JSON.stringify(runs)}, not one of ${chains.join(", ")}; fix the stack's bcm:chain`);
    if (asked !== undefined && asked !== runs) {
        throw new Error(`cluster ${cluster} runs ${runs}, not ${asked}; fix: ask with --chain ${runs} (a data center runs one chain; another chain is another cluster)`);
    }
    return runs as Chain;
}

/** The running node against the device: one line when it answers for another seed. */
export function identityMismatch(cluster: string, derived: string, running: string): string | undefined {
    if (derived === running) return undefined;
    return `the device answers for another seed: cluster ${cluster}'s lnd runs node ${running}, the device gives ${derived}; fix: use the Trezor (and passphrase) that made this node`;
}

/** One kept backup, as bcm-chanbackup's index.json lists it (services/lnd/README.md). */
export interface BackupEntry {
    file: string;
    time: string;
    sha256: string;
    size: number;
    channels: number;
}

export interface BackupIndex {
    version: number;
    nodePubkey: string;
    recipient: string;
    backups: BackupEntry[];
}

/** Reads index.json, newest first as written; an error names what is wrong. */
export function parseBackupIndex(text: string): BackupIndex {
    let v: unknown;
    try {
        v = JSON.parse(text);
    } catch {
        throw new Error("channel-backups/index.json is not JSON; bcm-chanbackup rewrites it at the next backup (restart lnd-backup-<chain>)");
    }
    const o = v as Partial<BackupIndex>;
    if (o?.version !== 1 || !Array.isArray(o.backups)) throw new Error("channel-backups/index.json is not bcm-chanbackup's version 1; fix: update bcm to the version of the data center");
    for (const b of o.backups) {
        if (typeof b?.file !== "string" || !/^channel-backup-[0-9TZ.]+-[0-9a-f]{16}\.pgp$/.test(b.file)) throw new Error(`channel-backups/index.json names ${JSON.stringify(b?.file)}, not a backup file`);
    }
    return o as BackupIndex;
}

/** Whether a file is an OpenPGP message (the encrypted backup, .pgp as kept, or armored) rather than lnd's own backup bytes. */
export function isEncryptedBackup(name: string, bytes: Uint8Array): boolean {
    if (/\.(pgp|gpg|asc)$/i.test(name)) return true;
    return Buffer.from(bytes.subarray(0, 27)).toString("latin1") === "-----BEGIN PGP MESSAGE-----";
}

/** The file name a fetched backup gets, decrypted: the kept name without .pgp. */
export function fetchedName(file: string): string {
    return file.replace(/\.pgp$/, ".backup");
}

/** lncli as the node's own, in lnd's task. */
export function lncliCommand(chain: Chain, args: string[]): string[] {
    return ["lncli", `--network=${networkFlag(chain)}`, `--lnddir=${paths.lndDir}`, ...args];
}

/** The full node's own CLI in its task: btcctl with its btcctl.conf, or bitcoin-cli with bitcoin.conf. */
export function bitcoinCliCommand(implementation: Implementation, args: string[]): string[] {
    return implementation === "btcd" ? ["btcctl", `--configfile=${paths.secrets}/btcctl.conf`, ...args] : ["bitcoin-cli", `-conf=${paths.secrets}/bitcoin.conf`, ...args];
}

/**
 * The shell script the tier container runs: the service's running task on this node, then
 * `docker exec` in it (with -i when stdin is given). The service and command are its
 * arguments, never spliced into the script.
 */
export function taskExecScript(withStdin: boolean): string {
    return (
        't="$(docker ps -q --filter "label=com.docker.swarm.service.name=$1" --filter status=running | head -n 1)"; ' +
        '[ -n "$t" ] || { echo "no running task of $1 on $(hostname)" >&2; exit 125; }; ' +
        `shift; exec docker exec ${withStdin ? "-i " : ""}"$t" "$@"`
    );
}
