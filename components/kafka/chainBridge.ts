// The chain flowing into Kafka: bcm-streams chain-bridge (services/streams) between the
// bitcoin tier's node and the kafka tier's brokers.
import { createHash } from "node:crypto";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SwarmService } from "../swarm/swarmService";

/** bcm/streams runs as this user (images/docker/streams/Dockerfile): it reads its secrets. */
export const streamsUid = 8081;

/** The bridge's arguments: the node over TLS with its secrets, the brokers, the registry. */
export function chainBridgeArgs(a: { chain: string; rpcAddress: string; rpcUser: string; brokers: string; registryUrl: string }): string[] {
    return [
        "chain-bridge",
        `--chain=${a.chain}`,
        `--rpc-addr=${a.rpcAddress}`,
        `--rpc-user=${a.rpcUser}`,
        "--rpc-pass-file=/run/secrets/rpc-password",
        "--rpc-cert=/run/secrets/rpc.cert",
        `--brokers=${a.brokers}`,
        `--registry=${a.registryUrl}`,
    ];
}

/** The topics a chain flows into. */
export function chainTopics(chain: string): { blocks: string; transactions: string } {
    return { blocks: `bitcoin.${chain}.blocks`, transactions: `bitcoin.${chain}.transactions` };
}

export interface ChainBridgeArgs {
    /** The chain (`bcm:chain`): it names the topics, `bitcoin.<chain>.blocks` and `.transactions`. */
    chain: string;
    /** The node's RPC on the bitcoin overlay, e.g. `btcd-regtest:18334` (btcd: TLS and websocket notifications). */
    rpcAddress: string;
    /** The node's RPC user and password (secret). */
    rpcCredentials: pulumi.Output<{ user: string; password: string }>;
    /** btcd's RPC certificate (PEM). */
    rpcCert: pulumi.Input<string>;
    /** The bitcoin tier's overlay (the node) and the kafka tier's (brokers, registry). */
    networks: { bitcoin: docker.Network; kafka: docker.Network };
    /** bcm/streams in the private registry. */
    image: pulumi.Input<string>;
    /** Kafka brokers, `kafka-1:9092,…` (one is enough to find the others); the topics get the cluster's default replication. */
    brokers: string;
    /** A schema registry, e.g. `http://schema-registry-1:8081`. */
    registryUrl: string;
    /** The tier whose containers run it (it keeps no state: its position is the blocks topic). */
    tier: string;
}

/** A swarm secret with a content-derived name (secrets are immutable). */
function secretFile(name: string, file: string, text: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): docker.Secret {
    const data = pulumi.output(text).apply((t) => Buffer.from(t).toString("base64"));
    return new docker.Secret(
        name,
        { name: data.apply((d) => `bcm-${file}-${createHash("sha256").update(d).digest("hex").slice(0, 12)}`), data: pulumi.secret(data) },
        { ...opts, deleteBeforeReplace: false },
    );
}

/**
 * bcm-streams chain-bridge: every block of the node's best chain to `bitcoin.<chain>.blocks`
 * and its transactions to `bitcoin.<chain>.transactions`, keyed by hash, in Avro registered
 * in the schema registry, one Kafka transaction per batch of blocks; after a restart it goes
 * on after the last block the topic holds (read_committed consumers see each record once).
 */
export class ChainBridge extends pulumi.ComponentResource {
    public readonly service: SwarmService;
    public readonly topics: { blocks: string; transactions: string };

    constructor(name: string, args: ChainBridgeArgs, opts: pulumi.ComponentResourceOptions & { provider: docker.Provider }) {
        super("bcm:kafka:ChainBridge", name, {}, opts);
        const child = { parent: this, provider: opts.provider };
        const password = secretFile(`${name}-rpc-password`, "bridge-rpc-password", args.rpcCredentials.apply((c) => c.password), child);
        const cert = secretFile(`${name}-rpc-cert`, "bridge-rpc-cert", args.rpcCert, child);
        this.service = new SwarmService(
            name,
            {
                tier: args.tier,
                image: args.image,
                args: args.rpcCredentials.apply((c) =>
                    chainBridgeArgs({ chain: args.chain, rpcAddress: args.rpcAddress, rpcUser: c.user, brokers: args.brokers, registryUrl: args.registryUrl }),
                ),
                networks: [{ network: args.networks.bitcoin, aliases: [name] }, { network: args.networks.kafka, aliases: [name] }],
                secrets: [
                    { source: password, fileName: "rpc-password", uid: streamsUid },
                    { source: cert, fileName: "rpc.cert", uid: streamsUid },
                ],
                memoryMiB: 256,
            },
            child,
        );
        this.topics = chainTopics(args.chain);
        this.registerOutputs({ topics: this.topics });
    }
}
