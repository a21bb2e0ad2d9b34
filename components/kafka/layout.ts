// Where the Kafka tier's processes go, as plain functions (tested without an engine): the
// seed's "Kafka on BCM" rules, on the tier's containers in placement order.

/** One ZooKeeper, broker or Connect worker: its swarm service and the container it is pinned to. */
export interface KafkaProcess {
    /** Swarm service name, also its DNS name on the tier's overlay. */
    service: string;
    /** The tier container (`bcm-kafka-NN`) that runs it: its data stays there. */
    container: string;
    /** ZooKeeper's myid or Kafka's broker.id: 1, 2, … in placement order. */
    id: number;
}

export interface KafkaLayout {
    zookeepers: KafkaProcess[];
    brokers: KafkaProcess[];
    connects: KafkaProcess[];
    /** `zookeeper-1:2181,…`: what every broker connects to. */
    zookeeperConnect: string;
    /** `1=zookeeper-1:2888:3888,…`: the ensemble as each ZooKeeper sees it. */
    zookeeperServers: string;
    /** `kafka-1:9092,…`. */
    bootstrapServers: string;
    /** Copies of each partition (and of Kafka's and Connect's internal topics): one per broker. */
    replicationFactor: number;
}

/**
 * The ZooKeeper ensemble size for `n` containers: the seed puts ZooKeeper on the first
 * endpoints, at most 5; an ensemble of even size tolerates no more failures than the odd
 * one below it while needing one more node for a quorum, so 2 becomes 1 and 4 becomes 3.
 */
export function ensembleSize(n: number): number {
    const upTo5 = Math.min(5, n);
    return upTo5 % 2 === 1 ? upTo5 : upTo5 - 1;
}

/** The tier's layout: ZooKeeper on the first (odd, ≤ 5) containers, a broker and a Connect worker on every one. */
export function kafkaLayout(containers: string[]): KafkaLayout {
    if (containers.length === 0) throw new Error("kafka tier: no containers; place the tier on at least one endpoint");
    if (new Set(containers).size !== containers.length) throw new Error(`kafka tier: containers ${containers.join(", ")} repeat a name`);
    const zookeepers = containers.slice(0, ensembleSize(containers.length)).map((container, i) => ({ service: `zookeeper-${i + 1}`, container, id: i + 1 }));
    const brokers = containers.map((container, i) => ({ service: `kafka-${i + 1}`, container, id: i + 1 }));
    const connects = containers.map((container, i) => ({ service: `kafka-connect-${i + 1}`, container, id: i + 1 }));
    return {
        zookeepers,
        brokers,
        connects,
        zookeeperConnect: zookeepers.map((z) => `${z.service}:2181`).join(","),
        zookeeperServers: zookeepers.map((z) => `${z.id}=${z.service}:2888:3888`).join(","),
        bootstrapServers: brokers.map((b) => `${b.service}:9092`).join(","),
        replicationFactor: brokers.length,
    };
}

/** A topic the tier keeps. */
export interface KafkaTopicSpec {
    /** Kafka's rules: letters, digits, '.', '_' and '-', at most 249 characters. */
    name: string;
    /** Partitions, default 1; may grow, never shrink (Kafka cannot). */
    partitions?: number;
    /** Copies of each partition, default one per broker; at most the broker count. */
    replicationFactor?: number;
}

const topicName = /^[A-Za-z0-9._-]{1,249}$/;

/** Checks topics against the brokers there are; each error names the field and the fix. */
export function validateTopics(raw: unknown, brokers: number, field = "topics"): Required<KafkaTopicSpec>[] {
    if (!Array.isArray(raw)) throw new Error(`${field}: must be a list of {"name": …, "partitions": …}`);
    const seen = new Set<string>();
    return raw.map((t, i) => {
        const at = `${field}[${i}]`;
        if (typeof t !== "object" || t === null || Array.isArray(t)) throw new Error(`${at}: must be an object with name, and optional partitions and replicationFactor`);
        const o = t as Record<string, unknown>;
        for (const k of Object.keys(o)) {
            if (!["name", "partitions", "replicationFactor"].includes(k)) throw new Error(`${at}.${k}: unknown key; use name, partitions or replicationFactor`);
        }
        if (typeof o.name !== "string" || !topicName.test(o.name) || o.name === "." || o.name === "..") {
            throw new Error(`${at}.name: ${JSON.stringify(o.name)} is not a Kafka topic name (1-249 letters, digits, '.', '_', '-')`);
        }
        if (o.name.startsWith("__")) throw new Error(`${at}.name: "${o.name}" starts with "__", which Kafka keeps for its internal topics; choose another name`);
        if (seen.has(o.name)) throw new Error(`${at}.name: "${o.name}" is listed twice`);
        seen.add(o.name);
        const partitions = o.partitions ?? 1;
        if (!Number.isInteger(partitions) || (partitions as number) < 1 || (partitions as number) > 10000) {
            throw new Error(`${at}.partitions: ${JSON.stringify(o.partitions)} must be a whole number from 1 to 10000`);
        }
        const rf = o.replicationFactor ?? brokers;
        if (!Number.isInteger(rf) || (rf as number) < 1 || (rf as number) > brokers) {
            throw new Error(`${at}.replicationFactor: ${JSON.stringify(o.replicationFactor)} must be a whole number from 1 to ${brokers} (the brokers there are)`);
        }
        return { name: o.name, partitions: partitions as number, replicationFactor: rf as number };
    });
}

/**
 * The shell script that makes a topic exist as specified, run in the container of broker 1:
 * create it if missing, add partitions if it has fewer. It never deletes or shrinks anything:
 * a topic left out of the stack keeps its data (delete it with `bcm-kafka topics --delete`).
 */
export function topicScript(topic: Required<KafkaTopicSpec>, broker: string): string {
    const bootstrap = `${broker}:9092`;
    return [
        "set -eu",
        `task="$(docker ps -q --filter label=com.docker.swarm.service.name=${broker} | head -n 1)"`,
        `[ -n "$task" ] || { echo "no running task of ${broker} in this container" >&2; exit 1; }`,
        `topics() { docker exec "$task" bcm-kafka topics --bootstrap-server ${bootstrap} "$@"; }`,
        `topics --create --if-not-exists --topic '${topic.name}' --partitions ${topic.partitions} --replication-factor ${topic.replicationFactor}`,
        `have="$(topics --describe --topic '${topic.name}' | sed -n 's/.*PartitionCount: *\\([0-9]*\\).*/\\1/p' | head -n 1)"`,
        `if [ "$have" -gt ${topic.partitions} ]; then echo "topic ${topic.name} has $have partitions; Kafka cannot reduce them to ${topic.partitions}: set partitions to $have or more" >&2; exit 1; fi`,
        `if [ "$have" -lt ${topic.partitions} ]; then topics --alter --topic '${topic.name}' --partitions ${topic.partitions}; fi`,
        `topics --describe --topic '${topic.name}'`,
    ].join("\n");
}
