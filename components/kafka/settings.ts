// `bcm:kafka`: the kafka tier's settings in the stack config, read in one pass with the rest
// of the data center's (components/datacenter/dataCenterSpec.ts).
import { KafkaApp, readApps } from "./apps";
import { KafkaTopicSpec, validateTopics } from "./layout";

export interface KafkaSettings {
    /** Topics the tier keeps (created and grown, never deleted). */
    topics: KafkaTopicSpec[];
    /** JVM heap of each broker and Connect worker, MiB (default 512). */
    heapMiB?: number;
    /** KRaft controllers, 1, 3 or 5 (default: the largest odd number at most min(5, containers)); a static quorum keeps this number once formed. */
    controllers?: number;
    /** Users' stream apps, each a service on the kafka containers (apps.ts). */
    apps?: KafkaApp[];
}

/** Reads `bcm:kafka`: {"topics":[{"name":…,"partitions":…}],"heapMiB":512,"controllers":3}. Replication is checked against the brokers at deploy. */
export function readKafkaSettings(raw: unknown, problems: string[]): KafkaSettings {
    const settings: KafkaSettings = { topics: [] };
    if (raw === undefined || raw === null) return settings;
    if (typeof raw !== "object" || Array.isArray(raw)) {
        problems.push(`bcm:kafka: must be an object, e.g. {"topics":[{"name":"blocks"}]}`);
        return settings;
    }
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (k === "topics") {
            try {
                settings.topics = validateTopics(v, Number.MAX_SAFE_INTEGER, "bcm:kafka.topics").map((t, i) => {
                    const given = (v as Record<string, unknown>[])[i];
                    return { name: t.name, partitions: t.partitions, ...(given.replicationFactor !== undefined ? { replicationFactor: t.replicationFactor } : {}) };
                });
            } catch (e) {
                problems.push((e as Error).message);
            }
        } else if (k === "heapMiB") {
            if (Number.isInteger(v) && (v as number) >= 128) settings.heapMiB = v as number;
            else problems.push(`bcm:kafka.heapMiB: ${JSON.stringify(v)} must be a whole number of MiB, at least 128`);
        } else if (k === "controllers") {
            if (v === 1 || v === 3 || v === 5) settings.controllers = v;
            else problems.push(`bcm:kafka.controllers: ${JSON.stringify(v)} must be 1, 3 or 5 (an odd quorum; the default is the largest odd number at most min(5, containers))`);
        } else if (k === "apps") {
            settings.apps = readApps(v, problems);
        } else {
            problems.push(`bcm:kafka.${k}: unknown key; use topics, heapMiB, controllers or apps`);
        }
    }
    return settings;
}
