import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as lxd from "../lxd/resources";
import { SwarmService } from "../swarm/swarmService";
import { SystemContainerTier } from "../tier/systemContainerTier";
import { brokersFrom, kafkaLayout, KafkaTopicSpec, topicScript, validateTopics } from "./layout";

export interface KafkaTierArgs {
    /** The tier's system containers (`bcm-kafka-NN`), joined to the swarm. */
    tier: SystemContainerTier;
    /** The swarm's docker provider (the gateway's). */
    docker: docker.Provider;
    /** The tier's internal overlay: only the tier's own services and the gateway's Tor are on it. */
    network: docker.Network;
    /** Image references in the private registry. */
    images: { kafka: pulumi.Input<string> };
    /** KRaft controllers (odd); default quorumSize(containers). A grown stack names the quorum it was formed with. */
    controllers?: number;
    /** Topics it keeps (see validateTopics); replication defaults to one copy per broker. */
    topics?: KafkaTopicSpec[];
    /** JVM heap per broker and per Connect worker in MiB; default 512 (the container limit is twice that). */
    heapMiB?: number;
}

/** `bash` can test a TCP port without netcat: the images carry only a JRE. */
const portOpen = (port: number) => `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}'`;

/**
 * The Kafka tier, the seed's "Kafka on BCM" in KRaft mode: controllers (the metadata quorum)
 * on the first containers (an odd number, at most 5), an Apache Kafka broker on every
 * container and a Kafka Connect worker beside each broker, every process pinned to its
 * container so its data stays there. Nothing is published: clients reach `kafka-N:9092` and
 * `kafka-connect-N:8083` on the tier's overlay. Topics are created (and grown) from the
 * stack, never deleted by it.
 */
export class KafkaTier extends pulumi.ComponentResource {
    /** `kafka-1:9092,…` on the tier's overlay. */
    public readonly bootstrapServers: string;
    /** `1001@kafka-controller-1:9093,…`. */
    public readonly controllerQuorum: string;
    /** The cluster id every node was formatted with (random, kept in the state). */
    public readonly clusterId: pulumi.Output<string>;
    /** Copies of each partition by default. */
    public readonly replicationFactor: number;
    public readonly services: SwarmService[];
    /** Each topic's `--describe` output after it was made. */
    public readonly topics: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: KafkaTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bcm:kafka:KafkaTier", name, {}, opts);
        const members = args.tier.members;
        const layout = kafkaLayout(members.map((m) => m.containerName), args.controllers);
        const topics = validateTopics(args.topics ?? [], layout.brokers.length, "kafka topics", layout.replicationFactor);
        const heap = args.heapMiB ?? 512;
        if (!Number.isInteger(heap) || heap < 128) throw new Error(`kafka heapMiB: ${heap} must be a whole number of MiB, at least 128`);
        const onDocker = { parent: this, provider: args.docker, dependsOn: args.tier.ready };
        const common = { tier: "kafka" };
        const pinned = (container: string) => [`node.hostname == ${container}`];
        const on = (service: string) => [{ network: args.network, aliases: [service] }];
        // KRaft's cluster id: 16 random bytes, base64url without padding (22 characters).
        const clusterId = new random.RandomId(`${name}-cluster-id`, { byteLength: 16 }, { parent: this }).b64Url;
        // Controllers apply the replication defaults to new topics, brokers to their internal ones.
        const kraft = {
            KAFKA_CLUSTER_ID: clusterId,
            KAFKA_CONTROLLER_QUORUM: layout.controllerQuorum,
            KAFKA_REPLICATION_FACTOR: String(layout.replicationFactor),
            KAFKA_MIN_INSYNC_REPLICAS: String(layout.minInsyncReplicas),
        };

        const controllers = layout.controllers.map(
            (c) =>
                new SwarmService(
                    c.service,
                    {
                        ...common,
                        networks: on(c.service),
                        image: args.images.kafka,
                        args: ["controller"],
                        constraints: pinned(c.container),
                        env: {
                            ...kraft,
                            KAFKA_NODE_ID: String(c.id),
                            // A new controller of a running cluster asks its brokers for the quorum before it formats.
                            KAFKA_QUORUM_CHECK_SERVERS: layout.bootstrapServers,
                            KAFKA_HEAP_MB: "256",
                        },
                        volumes: { "bcm-kafka-controller-data": "/var/lib/kafka/data" },
                        // Listening, not leading: a voter waiting for its quorum (peers still starting) must not be killed for it.
                        healthcheck: portOpen(9093),
                        memoryMiB: 512,
                    },
                    onDocker,
                ),
        );
        const brokers = layout.brokers.map(
            (b) =>
                new SwarmService(
                    b.service,
                    {
                        ...common,
                        networks: on(b.service),
                        image: args.images.kafka,
                        args: ["broker"],
                        constraints: pinned(b.container),
                        env: {
                            ...kraft,
                            KAFKA_NODE_ID: String(b.id),
                            KAFKA_ADVERTISED_HOST: b.service,
                            KAFKA_HEAP_MB: String(heap),
                        },
                        volumes: { "bcm-kafka-broker-data": "/var/lib/kafka/data" },
                        healthcheck: portOpen(9092),
                        memoryMiB: heap * 2,
                    },
                    { ...onDocker, dependsOn: [...args.tier.ready, ...controllers] },
                ),
        );
        const connects = layout.connects.map(
            (c) =>
                new SwarmService(
                    c.service,
                    {
                        ...common,
                        networks: on(c.service),
                        image: args.images.kafka,
                        args: ["connect"],
                        constraints: pinned(c.container),
                        env: {
                            // Its own broker first: the one on the same container.
                            CONNECT_BOOTSTRAP_SERVERS: brokersFrom(layout, c.container),
                            CONNECT_GROUP_ID: "bcm-connect",
                            CONNECT_REPLICATION_FACTOR: String(layout.replicationFactor),
                            CONNECT_ADVERTISED_HOST: c.service,
                            CONNECT_HEAP_MB: String(heap),
                        },
                        healthcheck: portOpen(8083),
                        memoryMiB: heap * 2,
                    },
                    { ...onDocker, dependsOn: [...args.tier.ready, ...brokers] },
                ),
        );
        this.services = [...controllers, ...brokers, ...connects];

        const first = members[0];
        this.topics = Object.fromEntries(
            topics.map((t) => [
                t.name,
                new lxd.Exec(
                    `${name}-topic-${t.name}`,
                    { instance: first.instance.name, create: ["sh", "-c", topicScript(t, layout.brokers[0].service)], endpoint: first.endpoint },
                    { parent: this, dependsOn: brokers },
                ).stdout,
            ]),
        );
        this.bootstrapServers = layout.bootstrapServers;
        this.controllerQuorum = layout.controllerQuorum;
        this.clusterId = clusterId;
        this.replicationFactor = layout.replicationFactor;
        this.registerOutputs({ bootstrapServers: this.bootstrapServers, controllerQuorum: this.controllerQuorum, clusterId, replicationFactor: this.replicationFactor, topics: this.topics });
    }
}
