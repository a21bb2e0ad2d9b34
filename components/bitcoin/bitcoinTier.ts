import { createHash } from "node:crypto";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GatewayOnionService, PublishedOnion } from "../gateway/gatewayTier";
import * as lxd from "../lxd/resources";
import { SwarmService } from "../swarm/swarmService";
import { DataVolume, SystemContainerTier } from "../tier/systemContainerTier";
import { Chain, chainPorts, Implementation, lndPorts, networkFlag, serviceNames } from "./chains";
import { bitcoindConf, btcctlConf, btcdConf, lndConf, nodeCommand, paths } from "./config";
import { p2wpkhAddress } from "./miningAddress";
import { channelBackupService, lndIdentityOf, lndStartArgs, lndWalletFile } from "./lightning";
import { deriveLndSecrets } from "../../device/lndSecret";

/** The users the node images run as (fixed uids, so the kept chain directories can be given to them). */
export const imageUids = { btcd: 8333, lnd: 9735, bitcoind: 1103 } as const;

/** The kept volume with a chain's data (the node's and lnd's), on the tier's first container. */
export function chainDataVolume(chain: Chain, keep: boolean): DataVolume {
    return { name: `chain-${chain}`, path: `/var/lib/bcm/chain-${chain}`, retain: keep };
}

/** The onion services of a chain's nodes, which the gateway's Tor publishes. */
export function bitcoinOnionServices(implementation: Implementation, chain: Chain): GatewayOnionService[] {
    const names = serviceNames(implementation, chain);
    const ports = chainPorts(implementation, chain);
    return [
        { name: `${names.node}-p2p`, virtualPort: ports.p2p, target: `${names.node}:${ports.p2p}`, clients: [], public: true },
        { name: names.lnd, virtualPort: lndPorts.peer, target: `${names.lnd}:${lndPorts.peer}`, clients: [], public: true },
        { name: `${names.node}-rpc`, virtualPort: ports.rpc, target: `${names.node}:${ports.rpc}`, clients: ["controller"] },
    ];
}

export interface BitcoinTierArgs {
    /** The tier's system containers (`bcm-bitcoin-NN`); the first carries `chainDataVolume(chain, …)`. */
    tier: SystemContainerTier;
    /** The swarm's docker provider (the gateway's). */
    docker: docker.Provider;
    /** The tier's internal overlay, which the gateway's Tor joins (alias `tor`). */
    network: docker.Network;
    chain: Chain;
    /** btcd (default) or bitcoind. */
    implementation?: Implementation;
    /** Image references in the private registry: the node's (btcd or bitcoind) and lnd's. */
    images: { node: pulumi.Input<string>; lnd: pulumi.Input<string> };
    /** The gateway's onion services, with those of `bitcoinOnionServices`: their addresses are announced to peers. */
    onions?: pulumi.Input<Record<string, PublishedOnion>>;
    /** Whether the Tor network is offline (then no onion address is announced). */
    torOffline?: boolean;
    /** Full nodes the node always connects to through Tor (`host:port`, bcm:bitcoin.peers). */
    peers?: string[];
    /** The lnd node's alias; default `bcm-<chain>`. */
    alias?: string;
    /** lnd's wallet, from the device (device/lndSecret.ts): created once, unlocked by itself at every start. */
    lnd: {
        /** The device's 32-byte secret for this cluster and chain, hex (secret). */
        secret: pulumi.Input<string>;
        /** The wallet's birthday, YYYY-MM-DD (part of its 24 words). */
        birthday: string;
    };
    /** Static channel backups on every change, encrypted to the controller's key, kept on the chain volume (and on Kafka when given). */
    channelBackups: {
        /** The controller's armored OpenPGP public key. */
        recipientKey: string;
        /** Versions kept on the volume; default 20. */
        keep?: number;
        /** The kafka tier's overlay and a broker, when that tier runs. */
        kafka?: { network: docker.Network; brokers: string };
    };
    /** regtest: the address mined blocks pay to; default the address of a key drawn for the stack (kept in its state). */
    miningAddress?: pulumi.Input<string>;
    /** bitcoind: keep only this many MiB of blocks (btcd cannot prune: refused by the settings). */
    prune?: number;
}

/** Secrets are immutable in a swarm: a content-derived name makes a change a new secret. */
export function fileSecret(name: string, file: string, text: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): docker.Secret {
    const data = pulumi.output(text).apply((t) => Buffer.from(t).toString("base64"));
    return new docker.Secret(
        name,
        { name: data.apply((d) => `bcm-${file}-${createHash("sha256").update(d).digest("hex").slice(0, 12)}`), data: pulumi.secret(data) },
        // A new name each time: made before the old one goes, which the swarm refuses to delete while a service uses it.
        { ...opts, deleteBeforeReplace: false },
    );
}

/** The PEM blocks `openssl req` printed: the certificate, then the key. */
function splitPem(text: string): { cert: string; key: string } {
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(text)?.[0];
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/.exec(text)?.[0];
    if (!cert || !key) throw new Error("btcd RPC certificate: openssl printed no certificate and key");
    return { cert, key };
}

/**
 * A chain's Bitcoin full node and Lightning node (lnd) on the bitcoin tier. Both keep their
 * data on the kept chain volume of the tier's first container. RPC is never published: it
 * listens on the tier's overlay, where only the node, lnd and the gateway's Tor are, and the
 * controller reaches it through an onion service with client authorization. Every peer
 * connection goes through the gateway's Tor; the P2P port and lnd's peer port are onion services.
 */
export class BitcoinTier extends pulumi.ComponentResource {
    /** The node's and lnd's swarm services. */
    public readonly node: SwarmService;
    public readonly lnd: SwarmService;
    /** `service:port` of the node's RPC on the tier's overlay. */
    public readonly rpcAddress: string;
    /** The RPC user and password (secret). */
    public readonly rpcCredentials: pulumi.Output<{ user: string; password: string }>;
    /** regtest: the address mined blocks pay to. */
    public readonly miningAddress?: pulumi.Output<string>;
    /** The Lightning node's identity pubkey and its wallet's first address, derived from the device's secret (public). */
    public readonly lightningIdentity: pulumi.Output<{ nodePubkey: string; firstAddress: string }>;
    /** The service keeping encrypted channel backups. */
    public readonly channelBackups: SwarmService;
    /** btcd: its RPC certificate (secret; undefined for bitcoind), for clients that pin it (lnd, the Electrum server, the chain bridge). */
    public readonly rpcCert?: pulumi.Output<string>;

    constructor(name: string, args: BitcoinTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bcm:bitcoin:BitcoinTier", name, {}, opts);
        const implementation = args.implementation ?? "btcd";
        const chain = args.chain;
        const names = serviceNames(implementation, chain);
        const ports = chainPorts(implementation, chain);
        const first = args.tier.members[0];
        if (!first) throw new Error("bitcoin tier: no containers; place the tier on at least one endpoint");
        const child = (role: string) => `${name}-${role}`;
        const onDocker = { parent: this, provider: args.docker };
        const volume = chainDataVolume(chain, false).path;
        // The gateway's Tor SOCKS on the tier's overlay: every peer connection goes through it.
        const torSocks = "tor:9050";

        const password = new random.RandomPassword(child("rpc-password"), { length: 32, special: false }, { parent: this });
        this.rpcCredentials = pulumi.secret(password.result.apply((p) => ({ user: "bcm", password: p })));
        if (chain === "regtest" && args.miningAddress !== undefined) {
            this.miningAddress = pulumi.output(args.miningAddress);
        } else if (chain === "regtest") {
            const seed = new random.RandomBytes(child("mining-key"), { length: 32 }, { parent: this });
            this.miningAddress = seed.base64.apply((b) => p2wpkhAddress(Buffer.from(b, "base64"), "bcrt"));
        }
        const onions = pulumi.output(args.onions ?? {});
        const onionOf = (service: string) => onions.apply((o) => (args.torOffline ? undefined : o[service]?.address));
        const settings = pulumi.all([this.rpcCredentials, onionOf(`${names.node}-p2p`), this.miningAddress ?? pulumi.output(undefined)]).apply(
            ([rpc, onion, miningAddress]) => ({ chain, rpc, torSocks, onion, miningAddress, peers: args.peers ?? [], ...(args.prune !== undefined ? { prune: args.prune } : {}) }),
        );

        // The chain directories on the kept volume, owned by the users the images run as.
        const nodeUid = imageUids[implementation];
        const dirs = new lxd.Exec(
            child("chain-dirs"),
            {
                instance: first.instance.name,
                create: [
                    "sh",
                    "-c",
                    `set -e; mkdir -p ${volume}/${implementation} ${volume}/lnd ${volume}/channel-backups; chown ${nodeUid}:${nodeUid} ${volume}/${implementation}; chown ${imageUids.lnd}:${imageUids.lnd} ${volume}/lnd ${volume}/channel-backups; chmod 0700 ${volume}/${implementation} ${volume}/lnd ${volume}/channel-backups`,
                ],
                endpoint: first.endpoint,
            },
            { parent: this, dependsOn: args.tier.ready },
        );

        const nodeSecrets: { source: docker.Secret; fileName: string; uid: number }[] = [];
        let rpcCert: pulumi.Output<string> | undefined;
        if (implementation === "btcd") {
            // btcd's RPC speaks only TLS off localhost: a certificate for its overlay name, made once
            // (kept, secret, in the stack's state), which lnd pins.
            const tls = new command.local.Command(
                child("rpc-tls"),
                {
                    create:
                        'd="$(mktemp -d)" && trap \'rm -rf "$d"\' EXIT && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 ' +
                        `-subj "/O=BCM/CN=${names.node}" -addext "subjectAltName=DNS:${names.node},DNS:localhost,IP:127.0.0.1" ` +
                        '-keyout "$d/key" -out "$d/cert" 2>/dev/null && cat "$d/cert" "$d/key"',
                },
                { parent: this, additionalSecretOutputs: ["stdout"] },
            );
            const pem = tls.stdout.apply(splitPem);
            rpcCert = pem.apply((p) => p.cert);
            this.rpcCert = rpcCert;
            nodeSecrets.push(
                { source: fileSecret(child("btcd-conf"), "btcd-conf", settings.apply(btcdConf), onDocker), fileName: "btcd.conf", uid: nodeUid },
                { source: fileSecret(child("btcctl-conf"), "btcctl-conf", settings.apply(btcctlConf), onDocker), fileName: "btcctl.conf", uid: nodeUid },
                { source: fileSecret(child("btcd-rpc-cert"), "btcd-rpc-cert", rpcCert, onDocker), fileName: "btcd-rpc.cert", uid: nodeUid },
                { source: fileSecret(child("btcd-rpc-key"), "btcd-rpc-key", pem.apply((p) => p.key), onDocker), fileName: "btcd-rpc.key", uid: nodeUid },
            );
        } else {
            nodeSecrets.push({ source: fileSecret(child("bitcoin-conf"), "bitcoin-conf", settings.apply(bitcoindConf), onDocker), fileName: "bitcoin.conf", uid: nodeUid });
        }
        const pinned = [`node.hostname == ${first.containerName}`];
        const nodeData = implementation === "btcd" ? paths.btcdData : paths.bitcoindData;
        const network = networkFlag(chain);
        this.node = new SwarmService(
            names.node,
            {
                tier: "bitcoin",
                image: args.images.node,
                ...nodeCommand(implementation, chain, args.peers ?? [], torSocks),
                networks: [{ network: args.network, aliases: [names.node] }],
                secrets: nodeSecrets,
                binds: { [`${volume}/${implementation}`]: nodeData },
                constraints: pinned,
                healthcheck:
                    implementation === "btcd"
                        ? `btcctl --configfile=${paths.secrets}/btcctl.conf getblockcount`
                        : `bitcoin-cli -conf=${paths.secrets}/bitcoin.conf getblockcount`,
                memoryMiB: chain === "regtest" ? 1024 : 4096,
            },
            { ...onDocker, dependsOn: [dirs] },
        );
        this.rpcAddress = `${names.node}:${ports.rpc}`;
        this.rpcCert = rpcCert;

        const lndText = pulumi
            .all([this.rpcCredentials, onionOf(names.lnd)])
            .apply(([rpc, onion]) => lndConf({ chain, implementation, rpc, torSocks, onion, alias: args.alias ?? `bcm-${chain}` }));
        // The wallet from the device: its values as one file for bcm-lnd-start, its password alone
        // for lnd's wallet-unlock-password-file; the identity it must have is public.
        const secret = pulumi.secret(pulumi.output(args.lnd.secret));
        this.lightningIdentity = pulumi.unsecret(secret.apply((hex) => lndIdentityOf(hex, chain)));
        const lndSecrets = [
            { source: fileSecret(child("lnd-conf"), "lnd-conf", lndText, onDocker), fileName: "lnd.conf", uid: imageUids.lnd },
            { source: fileSecret(child("lnd-wallet"), "lnd-wallet", secret.apply((hex) => lndWalletFile(hex, args.lnd.birthday)), onDocker), fileName: "lnd-wallet.json", uid: imageUids.lnd },
            {
                source: fileSecret(child("lnd-wallet-password"), "lnd-wallet-password", secret.apply((hex) => deriveLndSecrets(Buffer.from(hex, "hex")).walletPassword), onDocker),
                fileName: "lnd-wallet-password",
                uid: imageUids.lnd,
            },
        ];
        if (rpcCert) lndSecrets.push({ source: fileSecret(child("lnd-btcd-cert"), "lnd-btcd-cert", rpcCert, onDocker), fileName: "btcd-rpc.cert", uid: imageUids.lnd });
        this.lnd = new SwarmService(
            names.lnd,
            {
                tier: "bitcoin",
                image: args.images.lnd,
                // The image's entrypoint, bcm-lnd-start, creates the wallet once and then runs lnd.
                args: this.lightningIdentity.apply((id) => lndStartArgs(chain, id.nodePubkey, args.torOffline === true)),
                networks: [{ network: args.network, aliases: [names.lnd] }],
                secrets: lndSecrets,
                binds: { [`${volume}/lnd`]: paths.lndDir },
                constraints: pinned,
                // lnd's state RPC answers without a macaroon, from start-up on; the first start
                // creates the wallet (and scans for its coins) before lnd's own TLS key exists.
                healthcheck: `lncli --network=${network} --lnddir=${paths.lndDir} state`,
                healthStartPeriod: "10m",
                memoryMiB: 1024,
            },
            { ...onDocker, dependsOn: [this.node] },
        );
        this.channelBackups = channelBackupService(
            `lnd-backup-${chain}`,
            {
                lndService: names.lnd,
                chain,
                image: args.images.lnd,
                network: args.network,
                ...(args.channelBackups.kafka ? { kafka: args.channelBackups.kafka } : {}),
                recipientKey: args.channelBackups.recipientKey,
                lndDataDir: `${volume}/lnd`,
                backupDataDir: `${volume}/channel-backups`,
                keep: args.channelBackups.keep ?? 20,
                constraints: pinned,
                uid: imageUids.lnd,
            },
            { ...onDocker, dependsOn: [this.lnd] },
        );
        this.registerOutputs({ rpcAddress: this.rpcAddress, miningAddress: this.miningAddress, lightningIdentity: this.lightningIdentity });
    }
}
