import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as lxd from "../lxd/resources";
import { SwarmService } from "../swarm/swarmService";
import { SystemContainerTier } from "../tier/systemContainerTier";
import { createHash } from "node:crypto";
import { overlayNetwork } from "../swarm/networks";
import { appAccessScript, appEnvironment, appImageScript, appPasswordFile, appRevokeScript, KafkaApp } from "./apps";
import { brokersFrom, kafkaLayout, KafkaTopicSpec, topicScript, validateTopics } from "./layout";

export interface KafkaTierArgs {
    /** The tier's system containers (`bcm-kafka-NN`), joined to the swarm. */
    tier: SystemContainerTier;
    /** The swarm's docker provider (the gateway's). */
    docker: docker.Provider;
    /** The tier's internal overlay: only the tier's own services and the gateway's Tor are on it. */
    network: docker.Network;
    /** Image references in the private registry: Kafka, and bcm-streams (schema registry, REST proxy). */
    images: { kafka: pulumi.Input<string>; streams: pulumi.Input<string> };
    /** KRaft controllers (odd); default quorumSize(containers). A grown stack names the quorum it was formed with. */
    controllers?: number;
    /** Topics it keeps (see validateTopics); replication defaults to one copy per broker. */
    topics?: KafkaTopicSpec[];
    /** Users' stream apps (bcm:kafka.apps): images in the private registry, on the apps' overlay only, each a Kafka user with ACLs on its topics. */
    apps?: KafkaApp[];
    /** Whether the swarm's overlays are encrypted (the gateway's decision), for the apps' overlay; default false. */
    overlayEncrypted?: pulumi.Input<boolean>;
    /** The private registry as the swarm's nodes reach it, for the apps' images; default 127.0.0.1:5010. */
    registryHost?: string;
    /** JVM heap per broker and per Connect worker in MiB; default 512 (the container limit is twice that). */
    heapMiB?: number;
}

/** The subnet Docker gave an overlay, which a broker listens in. */
const subnetOf = (n: docker.Network) => n.ipamConfigs.apply((c) => {
    const subnet = c?.[0]?.subnet;
    if (!subnet) throw new Error("kafka tier: an overlay of the tier has no IPv4 subnet in its IPAM config, so its brokers cannot choose where to listen; recreate the network (bcm cluster refresh)");
    return subnet;
});

/** `bash` can test a TCP port without netcat: the images carry only a JRE. */
const portOpen = (port: number) => `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}'`;
/** bcm-streams answers its own health check: its API's root. */
const answers = (port: number) => `bcm-streams probe http://127.0.0.1:${port}/`;

/**
 * The Kafka tier, the seed's "Kafka on BCM" in KRaft mode: controllers (the metadata quorum)
 * on the first containers (an odd number, at most 5), and on every container an Apache Kafka
 * broker, a Kafka Connect worker, a schema registry and a REST proxy, every process pinned
 * to its container so its data stays there. Nothing is published: clients reach
 * `kafka-N:9092`, `kafka-connect-N:8083`, `schema-registry-N:8081` and `kafka-rest-N:8082` on
 * the tier's overlay. Topics are created (and grown) from the
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
    /** `http://schema-registry-1:8081,…`: Confluent-compatible, any one answers alike. */
    public readonly schemaRegistryUrls: string;
    /** `http://kafka-rest-1:8082,…`: Confluent REST v2/v3; a consumer instance lives in the proxy that made it. */
    public readonly restProxyUrls: string;
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
        // Users' apps get a network of their own, where a broker answers only on its
        // authenticated listener (9094) and the schema registries on theirs: nothing else of the
        // tier (Connect, the REST proxy, the controllers, Tor) is there. Its name sorts after the
        // tier's, so a service on both (a broker, a registry) resolves `kafka-N` on the tier's
        // overlay first (Docker's resolver asks a container's networks in name order).
        const appsNetwork = overlayNetwork(`${name}-apps-net`, "bcm-kafka-apps", { internal: true, encrypted: args.overlayEncrypted ?? false }, onDocker);
        const alsoForApps = (service: string) => [...on(service), { network: appsNetwork, aliases: [service] }];
        // KRaft's cluster id: 16 random bytes, base64url without padding (22 characters).
        const clusterId = new random.RandomId(`${name}-cluster-id`, { byteLength: 16 }, { parent: this }).b64Url;
        // Controllers apply the replication defaults to new topics, brokers to their internal ones.
        const kraft = {
            KAFKA_CLUSTER_ID: clusterId,
            KAFKA_CONTROLLER_QUORUM: layout.controllerQuorum,
            KAFKA_REPLICATION_FACTOR: String(layout.replicationFactor),
            KAFKA_MIN_INSYNC_REPLICAS: String(layout.minInsyncReplicas),
            // The tier's own services connect anonymously on the internal listener, as super
            // users; apps authenticate on theirs and get what their ACLs allow.
            KAFKA_ACLS: "on",
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
                        networks: alsoForApps(b.service),
                        image: args.images.kafka,
                        args: ["broker"],
                        constraints: pinned(b.container),
                        env: {
                            ...kraft,
                            KAFKA_NODE_ID: String(b.id),
                            KAFKA_ADVERTISED_HOST: b.service,
                            KAFKA_HEAP_MB: String(heap),
                            KAFKA_INTERNAL_SUBNET: subnetOf(args.network),
                            KAFKA_APPS_SUBNET: subnetOf(appsNetwork),
                        },
                        volumes: { "bcm-kafka-broker-data": "/var/lib/kafka/data" },
                        // Its internal listener, on the address it binds (not 127.0.0.1).
                        healthcheck: "bcm-kafka health",
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
        // The schema registry and the REST proxy, one of each per container: bcm-streams
        // (services/streams), stateless (the schemas are in the topic _schemas).
        const registries = layout.schemaRegistries.map(
            (r) =>
                new SwarmService(
                    r.service,
                    {
                        ...common,
                        networks: alsoForApps(r.service),
                        image: args.images.streams,
                        args: ["schema-registry", `--brokers=${brokersFrom(layout, r.container)}`, "--listen=:8081", `--replication-factor=${layout.replicationFactor}`],
                        constraints: pinned(r.container),
                        healthcheck: answers(8081),
                        memoryMiB: 128,
                    },
                    { ...onDocker, dependsOn: [...args.tier.ready, ...brokers] },
                ),
        );
        const restProxies = layout.restProxies.map(
            (r, i) =>
                new SwarmService(
                    r.service,
                    {
                        ...common,
                        networks: on(r.service),
                        image: args.images.streams,
                        args: [
                            "rest-proxy",
                            `--brokers=${brokersFrom(layout, r.container)}`,
                            "--listen=:8082",
                            `--registry=http://${layout.schemaRegistries[i].service}:8081`,
                            `--base-url=http://${r.service}:8082`,
                        ],
                        constraints: pinned(r.container),
                        healthcheck: answers(8082),
                        memoryMiB: 256,
                    },
                    { ...onDocker, dependsOn: [...args.tier.ready, ...registries] },
                ),
        );
        const addresses = {
            appBootstrapServers: layout.appBootstrapServers,
            schemaRegistryUrls: layout.schemaRegistries.map((r) => `http://${r.service}:8081`).join(","),
            restProxyUrls: layout.restProxies.map((r) => `http://${r.service}:8082`).join(","),
        };
        // Users' apps: anywhere on the tier, only on the apps' overlay, each a Kafka user (its
        // password a Swarm secret) allowed its topics by ACLs made in broker 1's container.
        const first = members[0];
        const apps = (args.apps ?? []).map((app) => {
            const service = `kafka-app-${app.name}`;
            const password = new random.RandomPassword(`${name}-app-${app.name}-password`, { length: 32, special: false }, { parent: this });
            const secret = new docker.Secret(
                `${name}-app-${app.name}-password`,
                {
                    // Named after its content: a new password is a new secret, made before the old one goes.
                    name: password.result.apply((p) => `bcm-kafka-app-${app.name}-${createHash("sha256").update(p).digest("hex").slice(0, 12)}`),
                    data: pulumi.secret(password.result.apply((p) => Buffer.from(p).toString("base64"))),
                },
                { ...onDocker, deleteBeforeReplace: false },
            );
            const access = new lxd.Exec(
                `${name}-app-${app.name}-access`,
                {
                    instance: first.instance.name,
                    create: ["sh", "-c", appAccessScript(app, layout.brokers[0].service)],
                    delete: ["sh", "-c", appRevokeScript(app, layout.brokers[0].service)],
                    stdin: pulumi.secret(pulumi.interpolate`${password.result}\n`),
                    endpoint: first.endpoint,
                },
                // Changed topics take the old grants away before the new ones are made (both name the same user).
                { parent: this, dependsOn: brokers, deleteBeforeReplace: true },
            );
            // Its image by the digest the registry holds (see appImageScript): Docker records a
            // service's image so, and a tag alone would differ from that record at every up.
            const image = new lxd.Exec(
                `${name}-app-${app.name}-image`,
                { instance: first.instance.name, create: ["sh", "-c", appImageScript(app, args.registryHost ?? "127.0.0.1:5010")], endpoint: first.endpoint },
                { parent: this, dependsOn: brokers },
            ).stdout;
            return new SwarmService(
                service,
                {
                    ...common,
                    networks: [{ network: appsNetwork, aliases: [service] }],
                    image,
                    env: appEnvironment(app, addresses),
                    // Readable by whichever user the app's image runs as: the task is the app's alone.
                    secrets: [{ source: secret, fileName: appPasswordFile.split("/").pop()!, mode: 0o444 }],
                    replicas: app.replicas ?? 1,
                    memoryMiB: 512,
                },
                { ...onDocker, dependsOn: [...args.tier.ready, ...registries, access] },
            );
        });
        this.services = [...controllers, ...brokers, ...connects, ...registries, ...restProxies, ...apps];

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
        this.schemaRegistryUrls = addresses.schemaRegistryUrls;
        this.restProxyUrls = addresses.restProxyUrls;
        this.registerOutputs({
            schemaRegistryUrls: this.schemaRegistryUrls,
            restProxyUrls: this.restProxyUrls, bootstrapServers: this.bootstrapServers, controllerQuorum: this.controllerQuorum, clusterId, replicationFactor: this.replicationFactor, topics: this.topics });
    }
}
