import * as docker from "@pulumi/docker";
import { Registered, recordResources, value } from "../testing/mocks";
import { SystemContainerTier } from "../tier/systemContainerTier";
import { appAccessScript, appImageScript } from "./apps";
import { KafkaTier } from "./kafkaTier";

const registered: Registered[] = [];

// Docker gives each overlay a subnet of its own; a password is random.
const subnets: Record<string, string> = { "bcm-kafka": "10.0.2.0/24", "bcm-kafka-apps": "10.0.7.0/24" };
beforeAll(() =>
    recordResources(registered, (type, inputs) =>
        type === "random:index/randomId:RandomId"
            ? { b64Url: "QkNNLWthZmthLWNsdXN0ZQ" }
            : type === "random:index/randomPassword:RandomPassword"
              ? { result: "Pw0123456789" }
              : type === "docker:index/network:Network"
                ? { ipamConfigs: [{ subnet: subnets[inputs.name] }] }
                : type === "lxd:index:Exec" && String(inputs.create?.[2]).includes("docker pull")
                  ? { stdout: `127.0.0.1:5010/me/indexer:1.0@sha256:${"e".repeat(64)}` }
                  : {},
    ),
);

describe("KafkaTier wiring (mocks)", () => {
    it("pins KRaft controllers to the first three of four containers, a broker and a Connect worker to each, topics through broker 1", async () => {
        const members = [1, 2, 3, 4].map((i) => ({
            containerName: `bcm-kafka-0${i}`,
            endpoint: {},
            image: "fp",
            profiles: ["default"],
            swarmRole: "worker" as const,
        }));
        const tier = new SystemContainerTier("t", { tier: "kafka", cluster: "c", members, swarm: { managerAddress: "10.0.0.1:2377", workerToken: "tok" } });
        const provider = new docker.Provider("d", { host: "unix:///x.sock" });
        const network = new docker.Network("n", { name: "bcm-kafka", driver: "overlay" }, { provider });
        const kafka = new KafkaTier(
            "k",
            { tier, docker: provider, network, images: { kafka: "127.0.0.1:5010/bcm/kafka@sha256:1", streams: "127.0.0.1:5010/bcm/streams@sha256:3" }, topics: [{ name: "blocks", partitions: 3 }],
              apps: [{ name: "indexer", image: "me/indexer:1.0", topics: ["blocks"] }] },
        );
        await Promise.all([value(kafka.topics.blocks), ...kafka.services.map((s) => value(s.serviceName))]);
        const services = new Map(registered.filter((r) => r.type === "docker:index/service:Service").map((r) => [r.name, r.inputs]));
        expect([...services.keys()].sort()).toEqual(
            ["kafka-1", "kafka-2", "kafka-3", "kafka-4", "kafka-app-indexer", "kafka-connect-1", "kafka-connect-2", "kafka-connect-3", "kafka-connect-4", "kafka-controller-1", "kafka-controller-2", "kafka-controller-3",
             "kafka-rest-1", "kafka-rest-2", "kafka-rest-3", "kafka-rest-4", "schema-registry-1", "schema-registry-2", "schema-registry-3", "schema-registry-4"],
        );
        const spec = (n: string) => services.get(n)!.taskSpec;
        const quorum = "1001@kafka-controller-1:9093,1002@kafka-controller-2:9093,1003@kafka-controller-3:9093";
        const clusterId = spec("kafka-controller-1").containerSpec.env.KAFKA_CLUSTER_ID;
        expect(clusterId).toBe("QkNNLWthZmthLWNsdXN0ZQ");
        expect(spec("kafka-controller-3").containerSpec.env).toEqual({
            KAFKA_NODE_ID: "1003",
            KAFKA_CLUSTER_ID: clusterId,
            KAFKA_CONTROLLER_QUORUM: quorum,
            KAFKA_REPLICATION_FACTOR: "3",
            KAFKA_MIN_INSYNC_REPLICAS: "2",
            KAFKA_QUORUM_CHECK_SERVERS: "kafka-1:9092,kafka-2:9092,kafka-3:9092,kafka-4:9092",
            KAFKA_HEAP_MB: "256",
            KAFKA_ACLS: "on",
        });
        expect(spec("kafka-controller-3").containerSpec.args).toEqual(["controller"]);
        expect(spec("kafka-controller-3").placement.constraints).toEqual(["engine.labels.bcm-tier == kafka", "node.hostname == bcm-kafka-03"]);
        expect(spec("kafka-2").placement.constraints).toEqual(["engine.labels.bcm-tier == kafka", "node.hostname == bcm-kafka-02"]);
        expect(spec("kafka-2").containerSpec.env).toMatchObject({ KAFKA_NODE_ID: "2", KAFKA_CLUSTER_ID: clusterId, KAFKA_CONTROLLER_QUORUM: quorum, KAFKA_REPLICATION_FACTOR: "3", KAFKA_MIN_INSYNC_REPLICAS: "2", KAFKA_ADVERTISED_HOST: "kafka-2" });
        // Brokers: ACLs on, PLAINTEXT only in the tier's overlay, the apps' listener in theirs.
        expect(spec("kafka-2").containerSpec.env).toMatchObject({ KAFKA_ACLS: "on", KAFKA_INTERNAL_SUBNET: "10.0.2.0/24", KAFKA_APPS_SUBNET: "10.0.7.0/24" });
        expect(spec("kafka-2").containerSpec.healthcheck.tests).toEqual(["CMD-SHELL", "bcm-kafka health"]);
        const appsNet = registered.find((r) => r.type === "docker:index/network:Network" && r.inputs.name === "bcm-kafka-apps")!;
        expect(appsNet.inputs).toMatchObject({ driver: "overlay", internal: true });
        const netsOf = (n: string) => spec(n).networksAdvanceds.map((x: { id: string; aliases: string[] }) => `${x.id} ${x.aliases.join(",")}`);
        expect(netsOf("kafka-2")).toEqual(["n-id kafka-2", "k-apps-net-id kafka-2"]);
        expect(netsOf("schema-registry-2")).toEqual(["n-id schema-registry-2", "k-apps-net-id schema-registry-2"]);
        for (const n of ["kafka-controller-1", "kafka-connect-2", "kafka-rest-2"]) expect(netsOf(n)).toEqual([`n-id ${n}`]);
        // Controller and broker data in volumes of their own.
        expect(spec("kafka-2").containerSpec.mounts).toEqual([{ type: "volume", source: "bcm-kafka-broker-data", target: "/var/lib/kafka/data" }]);
        expect(spec("kafka-controller-1").containerSpec.mounts).toEqual([{ type: "volume", source: "bcm-kafka-controller-data", target: "/var/lib/kafka/data" }]);
        expect(spec("kafka-connect-3").containerSpec.env.CONNECT_BOOTSTRAP_SERVERS).toBe("kafka-3:9092,kafka-1:9092,kafka-2:9092,kafka-4:9092");
        // The schema registry and REST proxy beside every broker, their own broker first.
        expect(spec("schema-registry-2").containerSpec.args).toEqual(["schema-registry", "--brokers=kafka-2:9092,kafka-1:9092,kafka-3:9092,kafka-4:9092", "--listen=:8081", "--replication-factor=3"]);
        expect(spec("kafka-rest-4").containerSpec.args).toEqual([
            "rest-proxy", "--brokers=kafka-4:9092,kafka-1:9092,kafka-2:9092,kafka-3:9092", "--listen=:8082", "--registry=http://schema-registry-4:8081", "--base-url=http://kafka-rest-4:8082",
        ]);
        expect(spec("kafka-rest-4").containerSpec.image).toBe("127.0.0.1:5010/bcm/streams@sha256:3");
        expect(spec("kafka-rest-4").containerSpec.healthcheck.tests).toEqual(["CMD-SHELL", "bcm-streams probe http://127.0.0.1:8082/"]);
        expect(kafka.schemaRegistryUrls).toBe("http://schema-registry-1:8081,http://schema-registry-2:8081,http://schema-registry-3:8081,http://schema-registry-4:8081");
        // A user's app: its image from the private registry, on the apps' overlay only, a Kafka
        // user whose password is a Swarm secret and whose grants are made in broker 1's container.
        const app = services.get("kafka-app-indexer")!;
        // Its image by the digest the registry holds, found in broker 1's container by the image's Exec.
        const image = registered.find((r) => r.name === "k-app-indexer-image")!;
        expect(image.inputs).toMatchObject({ instance: "bcm-kafka-01", create: ["sh", "-c", appImageScript({ name: "indexer", image: "me/indexer:1.0" }, "127.0.0.1:5010")] });
        expect(app.taskSpec.containerSpec.image).toBe(`127.0.0.1:5010/me/indexer:1.0@sha256:${"e".repeat(64)}`);
        expect(app.taskSpec.placement.platforms).toEqual([{ os: "linux", architecture: "amd64" }]);
        expect(app.taskSpec.containerSpec.env).toMatchObject({
            KAFKA_BOOTSTRAP_SERVERS: "kafka-1:9094,kafka-2:9094,kafka-3:9094,kafka-4:9094",
            KAFKA_SASL_USERNAME: "app-indexer",
            SCHEMA_REGISTRY_URL: kafka.schemaRegistryUrls,
            BCM_KAFKA_TOPICS: "blocks",
        });
        expect(app.taskSpec.containerSpec.env.BCM_KAFKA_REST_URL).toBeUndefined();
        expect(netsOf("kafka-app-indexer")).toEqual(["k-apps-net-id kafka-app-indexer"]);
        const secret = registered.find((r) => r.name === "k-app-indexer-password" && r.type === "docker:index/secret:Secret")!;
        expect(Buffer.from(secret.inputs.data, "base64").toString()).toBe("Pw0123456789");
        expect(secret.inputs.name).toMatch(/^bcm-kafka-app-indexer-[0-9a-f]{12}$/);
        expect(app.taskSpec.containerSpec.secrets).toEqual([expect.objectContaining({ secretId: "k-app-indexer-password-id", fileName: "kafka-password", fileMode: 0o444 })]);
        const access = registered.find((r) => r.name === "k-app-indexer-access")!;
        expect(access.inputs).toMatchObject({ instance: "bcm-kafka-01", create: ["sh", "-c", appAccessScript({ name: "indexer", image: "me/indexer:1.0", topics: ["blocks"] }, "kafka-1")], stdin: "Pw0123456789\n" });
        expect(access.inputs.delete[2]).toContain("--remove --force");
        // Nothing published, memory limited to twice the heap.
        for (const s of services.values()) expect(s.endpointSpec.ports).toEqual([]);
        expect(spec("kafka-1").resources.limits.memoryBytes).toBe(1024 * 1024 * 1024);
        const topic = registered.find((r) => r.name === "k-topic-blocks")!;
        expect(topic.type).toBe("lxd:index:Exec");
        expect(topic.inputs.create[2]).toContain("--create --if-not-exists --topic 'blocks' --partitions 3 --replication-factor 3");
        expect(topic.inputs.delete).toBeUndefined();
    });
});
