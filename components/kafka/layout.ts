// Where the Kafka tier's processes go, as plain functions (tested without an engine): the
// seed's "Kafka on BCM" rules, on the tier's containers in placement order.

/** One process of the tier: its swarm service and the container it is pinned to. */
export interface KafkaProcess {
    /** Swarm service name, also its DNS name on the tier's overlay. */
    service: string;
    /** The tier container (`bcm-kafka-NN`) that runs it: its data stays there. */
    container: string;
    /** Kafka's node.id (controllers 1001, 1002, …; brokers 1, 2, …), or the instance number of the others. */
    id: number;
}

export interface KafkaLayout {
    /** KRaft controllers, the metadata quorum, on the first containers. */
    controllers: KafkaProcess[];
    brokers: KafkaProcess[];
    connects: KafkaProcess[];
    /** Confluent-compatible schema registries (bcm-streams), one per container. */
    schemaRegistries: KafkaProcess[];
    /** Confluent-compatible REST proxies (bcm-streams), one per container. */
    restProxies: KafkaProcess[];
    /** `1001@kafka-controller-1:9093,…`: the static voter set every node is given. */
    controllerQuorum: string;
    /** `kafka-1:9092,…`: the brokers' internal listener (on the tier's overlay). */
    bootstrapServers: string;
    /** `kafka-1:9094,…`: the listener for users' apps (on `bcm-kafka-apps`, SCRAM-SHA-512). */
    appBootstrapServers: string;
    /** Copies of each partition of new topics (and of Kafka's, Connect's and the registry's internal topics). */
    replicationFactor: number;
    /** Copies a write needs before it is acknowledged (acks=all): one less than the replication factor, at least 1. */
    minInsyncReplicas: number;
}

/** Controllers' node ids start here, so that a broker's id stays its container's number. */
export const controllerIdBase = 1000;

/**
 * The controller quorum for `n` containers, one rule for the seed's "ZooKeeper on the first
 * min(5, n)" and issue 17's "KRaft controllers on the first min(3, n)": the largest odd number
 * at most min(5, n). An even quorum tolerates no more failures than the odd one below it while
 * needing one more voter for a majority (so 2 gives 1, 4 gives 3); 5 stays the seed's ceiling,
 * and below 5 containers it is the same as issue 17's rule made odd.
 */
export function quorumSize(n: number): number {
    const upTo5 = Math.min(5, n);
    return upTo5 % 2 === 1 ? upTo5 : upTo5 - 1;
}

/**
 * Replication from the brokers there are: three copies at most (Kafka's usual production
 * setting; more copies cost disk on every container without surviving more than one loss
 * with acks=all), and a write waits for all but one, so one broker may be down and
 * producers with acks=all go on.
 */
export function replication(brokers: number): { replicationFactor: number; minInsyncReplicas: number } {
    const replicationFactor = Math.min(3, brokers);
    return { replicationFactor, minInsyncReplicas: Math.max(1, replicationFactor - 1) };
}

/**
 * The tier's layout: KRaft controllers on the first `controllers` containers (default
 * quorumSize(n); a stack that grew keeps the quorum it was formed with by naming it, since a
 * static quorum cannot change), and a broker, a Connect worker, a schema registry and a REST
 * proxy on every container.
 */
export function kafkaLayout(containers: string[], controllers?: number): KafkaLayout {
    if (containers.length === 0) throw new Error("kafka tier: no containers; place the tier on at least one endpoint");
    if (new Set(containers).size !== containers.length) throw new Error(`kafka tier: containers ${containers.join(", ")} repeat a name`);
    const voters = controllers ?? quorumSize(containers.length);
    if (!Number.isInteger(voters) || voters < 1 || voters % 2 === 0) throw new Error(`bcm:kafka.controllers: ${voters} must be an odd whole number (1, 3 or 5)`);
    if (voters > containers.length) {
        throw new Error(`bcm:kafka.controllers: ${voters} needs ${voters} kafka containers, there are ${containers.length}; place the tier on more endpoints or set controllers to ${quorumSize(containers.length)}`);
    }
    const each = (prefix: string, base = 0) => (container: string, i: number) => ({ service: `${prefix}-${i + 1}`, container, id: base + i + 1 });
    const controllerProcs = containers.slice(0, voters).map(each("kafka-controller", controllerIdBase));
    const brokers = containers.map(each("kafka"));
    return {
        controllers: controllerProcs,
        brokers,
        connects: containers.map(each("kafka-connect")),
        schemaRegistries: containers.map(each("schema-registry")),
        restProxies: containers.map(each("kafka-rest")),
        controllerQuorum: controllerProcs.map((c) => `${c.id}@${c.service}:9093`).join(","),
        bootstrapServers: brokers.map((b) => `${b.service}:9092`).join(","),
        appBootstrapServers: brokers.map((b) => `${b.service}:9094`).join(","),
        ...replication(brokers.length),
    };
}

/** The brokers with the one on `container` first (a client's own container's broker answers first). */
export function brokersFrom(layout: KafkaLayout, container: string): string {
    const own = layout.brokers.filter((b) => b.container === container);
    return [...own, ...layout.brokers.filter((b) => b.container !== container)].map((b) => `${b.service}:9092`).join(",");
}

/** A topic the tier keeps. */
export interface KafkaTopicSpec {
    /** Kafka's rules: letters, digits, '.', '_' and '-', at most 249 characters. */
    name: string;
    /** Partitions, default 1; may grow, never shrink (Kafka cannot). */
    partitions?: number;
    /** Copies of each partition, default the tier's (replication()); at most the broker count. */
    replicationFactor?: number;
}

const topicName = /^[A-Za-z0-9._-]{1,249}$/;

/** Checks topics against the brokers there are; each error names the field and the fix. */
export function validateTopics(raw: unknown, brokers: number, field = "topics", defaultReplication = replication(brokers).replicationFactor): Required<KafkaTopicSpec>[] {
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
        const rf = o.replicationFactor ?? defaultReplication;
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
