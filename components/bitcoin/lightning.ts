// The Lightning node's wallet and its channel backups, from the device's secret: the wallet
// values lnd's entrypoint (bcm-lnd-start, services/lnd) creates and unlocks the wallet with,
// and the service that keeps every static channel backup encrypted to the controller's key.
import { createHash } from "node:crypto";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { bytesToHex } from "../../device/bytes";
import { deriveLndSecrets } from "../../device/lndSecret";
import { SwarmService } from "../swarm/swarmService";
import { Chain, networkFlag } from "./chains";
import { paths } from "./config";
import { lndIdentity } from "./lndIdentity";

/** The wallet secret file bcm-lnd-start reads (services/lnd/README.md): every field lowercase hex but the date. */
export function lndWalletFile(secretHex: string, birthday: string): string {
    const d = deriveLndSecrets(Buffer.from(secretHex, "hex"));
    return JSON.stringify({
        entropy: bytesToHex(d.entropy),
        salt: bytesToHex(d.aezeedSalt),
        birthday,
        password: d.walletPassword,
        macaroonRootKey: bytesToHex(d.macaroonRootKey),
    });
}

/** The node's identity as lnd will derive it from the device's secret: public, the controller's check on a running node. */
export function lndIdentityOf(secretHex: string, chain: Chain): { nodePubkey: string; firstAddress: string } {
    return lndIdentity(deriveLndSecrets(Buffer.from(secretHex, "hex")).entropy, chain);
}

/**
 * bcm-lnd-start's arguments: the chain, the identity the wallet must have (a volume holding
 * another seed's wallet is refused, nothing overwritten), no recovery scan where the chain
 * cannot sync (Tor offline on a real chain: a new wallet has nothing to find), then lnd's own.
 */
export function lndStartArgs(chain: Chain, nodePubkey: string, torOffline: boolean): string[] {
    return [
        `--chain=${chain}`,
        `--expect-node-pubkey=${nodePubkey}`,
        `--lnddir=${paths.lndDir}`,
        ...(torOffline && chain !== "regtest" ? ["--recovery-window=0"] : []),
        "--",
        `--configfile=${paths.secrets}/lnd.conf`,
    ];
}

/**
 * Where the backup service sees lnd's directory (read-only): its macaroon and TLS certificate
 * are secrets, and a path under /run/secrets/ is how a task names a secret it reads from a file
 * (the policy pack's no-plaintext-secrets accepts exactly that for a secret-looking flag).
 */
export const backupLndDir = "/run/secrets/lnd";

/** Where channel backups are kept inside the backup service's task (a directory of the chain volume). */
export const backupDir = "/var/lib/bcm/channel-backups";

/** bcm-chanbackup's arguments (services/lnd/README.md): lnd over the overlay with the read-only macaroon, the key, the directory, Kafka when there is one. */
export function chanBackupArgs(a: { lndService: string; chain: Chain; keep: number; kafkaBrokers?: string }): string[] {
    return [
        `--rpcserver=${a.lndService}:10009`,
        `--tlscert=${backupLndDir}/tls.cert`,
        `--macaroon=${backupLndDir}/data/chain/bitcoin/${networkFlag(a.chain)}/readonly.macaroon`,
        "--recipient-key=/etc/bcm/controller.asc",
        `--dir=${backupDir}`,
        `--keep=${a.keep}`,
        ...(a.kafkaBrokers ? [`--kafka-brokers=${a.kafkaBrokers}`, "--kafka-topic=bcm.lnd.channel-backups"] : []),
    ];
}

export interface ChannelBackupArgs {
    /** The lnd service it follows. */
    lndService: string;
    chain: Chain;
    /** The lnd image (it carries bcm-chanbackup). */
    image: pulumi.Input<string>;
    /** The tier's overlay (lnd's). */
    network: docker.Network;
    /** The kafka tier's overlay and brokers, when it runs: backups also go to a compacted topic. */
    kafka?: { network: docker.Network; brokers: string };
    /** The controller's armored OpenPGP public key. */
    recipientKey: string;
    /** lnd's directory and the backups' directory on the chain volume. */
    lndDataDir: string;
    backupDataDir: string;
    /** Versions kept on the volume. */
    keep: number;
    /** `node.hostname == …`: on lnd's container, whose volume it reads. */
    constraints: string[];
    /** lnd's uid, which the image runs as. */
    uid: number;
}

/** The backup service: every new multi-channel backup lnd streams, encrypted to the controller, on the volume (and Kafka). */
export function channelBackupService(name: string, a: ChannelBackupArgs, opts: pulumi.ComponentResourceOptions): SwarmService {
    const key = new docker.ServiceConfig(
        `${name}-controller-key`,
        { name: `bcm-controller-key-${createHash("sha256").update(a.recipientKey).digest("hex").slice(0, 12)}`, data: Buffer.from(a.recipientKey).toString("base64") },
        { ...opts, deleteBeforeReplace: false } as pulumi.CustomResourceOptions,
    );
    return new SwarmService(
        name,
        {
            tier: "bitcoin",
            image: a.image,
            command: ["bcm-chanbackup"],
            args: chanBackupArgs({ lndService: a.lndService, chain: a.chain, keep: a.keep, kafkaBrokers: a.kafka?.brokers }),
            networks: [{ network: a.network, aliases: [name] }, ...(a.kafka ? [{ network: a.kafka.network, aliases: [name] }] : [])],
            configs: [{ source: key, fileName: "/etc/bcm/controller.asc", uid: a.uid }],
            readOnlyBinds: { [a.lndDataDir]: backupLndDir },
            binds: { [a.backupDataDir]: backupDir },
            constraints: a.constraints,
            memoryMiB: 64,
        },
        opts,
    );
}
