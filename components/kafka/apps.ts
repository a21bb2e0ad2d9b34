// Users' stream apps on the kafka tier (`bcm:kafka.apps`): a container image of the user's
// own, pushed to the private registry, run on the kafka containers with the tier's
// addresses and the topics it names, on the tier's internal overlay only.

/** One app as the stack names it. */
export interface KafkaApp {
    /** Lower-case letters, digits and '-'; its service is `kafka-app-<name>`. */
    name: string;
    /** The image in the private registry, `repository[:tag|@sha256:…]` without a registry host (push it to 127.0.0.1:5010 on a swarm node first). */
    image: string;
    /** The topics it may use, told to it in BCM_KAFKA_TOPICS (Kafka does not enforce this: the tier runs without ACLs). */
    topics: string[];
    /** More environment variables (not BCM_* nor KAFKA_BOOTSTRAP_SERVERS / SCHEMA_REGISTRY_URL, which the tier sets). */
    env?: Record<string, string>;
    /** Tasks, default 1. */
    replicas?: number;
}

const appName = /^[a-z][a-z0-9-]{0,39}$/;
// A repository path and a tag or digest, as Docker names them, with no registry host (no ':' or '.' before the first '/').
const imageRef = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[0-9a-f]{64})?$/;
const topicName = /^[A-Za-z0-9._-]{1,249}$/;
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Docker reads a first path component with '.' or ':', or `localhost`, as a registry host. */
const namesHost = (image: string) => image.includes("/") && /[.:]|^localhost$/.test(image.split("/")[0]);
const reserved = (k: string) => k.startsWith("BCM_") || k === "KAFKA_BOOTSTRAP_SERVERS" || k === "SCHEMA_REGISTRY_URL";

/** Reads `bcm:kafka.apps`, pushing one problem per wrong field (each names the field and the fix). */
export function readApps(raw: unknown, problems: string[], field = "bcm:kafka.apps"): KafkaApp[] {
    if (!Array.isArray(raw)) {
        problems.push(`${field}: must be a list of {"name": …, "image": …, "topics": [...]}`);
        return [];
    }
    const seen = new Set<string>();
    const out: KafkaApp[] = [];
    raw.forEach((a, i) => {
        const at = `${field}[${i}]`;
        if (typeof a !== "object" || a === null || Array.isArray(a)) {
            problems.push(`${at}: must be an object with name, image and topics`);
            return;
        }
        const o = a as Record<string, unknown>;
        const before = problems.length;
        for (const k of Object.keys(o)) if (!["name", "image", "topics", "env", "replicas"].includes(k)) problems.push(`${at}.${k}: unknown key; use name, image, topics, env or replicas`);
        if (typeof o.name !== "string" || !appName.test(o.name)) problems.push(`${at}.name: ${JSON.stringify(o.name)} must be lower-case letters, digits and '-', starting with a letter (at most 40)`);
        else if (seen.has(o.name)) problems.push(`${at}.name: "${o.name}" is listed twice`);
        else seen.add(o.name);
        if (typeof o.image !== "string" || !imageRef.test(o.image) || namesHost(o.image)) {
            problems.push(`${at}.image: ${JSON.stringify(o.image)} must be an image in the private registry without its host, e.g. "me/indexer:1.0" (push it to 127.0.0.1:5010/me/indexer:1.0 on a swarm node)`);
        }
        if (!Array.isArray(o.topics) || o.topics.length === 0 || !o.topics.every((t) => typeof t === "string" && topicName.test(t))) {
            problems.push(`${at}.topics: must list the Kafka topics it uses, e.g. ["bitcoin.regtest.blocks"]`);
        }
        if (o.env !== undefined) {
            if (typeof o.env !== "object" || o.env === null || Array.isArray(o.env)) problems.push(`${at}.env: must be an object of names to strings`);
            else {
                for (const [k, v] of Object.entries(o.env)) {
                    if (!envName.test(k) || typeof v !== "string") problems.push(`${at}.env.${k}: must be a variable name with a string value`);
                    else if (reserved(k)) problems.push(`${at}.env.${k}: the tier sets this one; leave it out`);
                }
            }
        }
        if (o.replicas !== undefined && (!Number.isInteger(o.replicas) || (o.replicas as number) < 0 || (o.replicas as number) > 100)) {
            problems.push(`${at}.replicas: ${JSON.stringify(o.replicas)} must be a whole number from 0 to 100`);
        }
        if (problems.length === before) {
            out.push({
                name: o.name as string,
                image: o.image as string,
                topics: o.topics as string[],
                ...(o.env ? { env: o.env as Record<string, string> } : {}),
                ...(o.replicas !== undefined ? { replicas: o.replicas as number } : {}),
            });
        }
    });
    return out;
}

/** What an app's task is told: where Kafka and the registry are, and its topics. */
export function appEnvironment(app: KafkaApp, tier: { bootstrapServers: string; schemaRegistryUrls: string; restProxyUrls: string }): Record<string, string> {
    return {
        ...(app.env ?? {}),
        KAFKA_BOOTSTRAP_SERVERS: tier.bootstrapServers,
        SCHEMA_REGISTRY_URL: tier.schemaRegistryUrls,
        BCM_KAFKA_REST_URL: tier.restProxyUrls,
        BCM_KAFKA_TOPICS: app.topics.join(","),
        BCM_APP_NAME: app.name,
    };
}
