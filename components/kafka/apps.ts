// Users' stream apps on the kafka tier (`bcm:kafka.apps`): a container image of the user's
// own, pushed to the private registry, run on the kafka containers on a network of their own
// (`bcm-kafka-apps`), where only the brokers' authenticated listener and the schema registries
// answer. Each app is a Kafka user (SCRAM-SHA-512) whose ACLs allow its topics and nothing else.

/** One app as the stack names it. */
export interface KafkaApp {
    /** Lower-case letters, digits and '-'; its service is `kafka-app-<name>`. */
    name: string;
    /** The image in the private registry, `repository[:tag|@sha256:…]` without a registry host (push it to 127.0.0.1:5010 on a swarm node first). */
    image: string;
    /** The topics it may read, write and describe (Kafka's ACLs allow it no other), also told to it in BCM_KAFKA_TOPICS. */
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
const reserved = (k: string) => k.startsWith("BCM_") || k.startsWith("KAFKA_SASL_") || ["KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SECURITY_PROTOCOL", "SCHEMA_REGISTRY_URL"].includes(k);

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
            problems.push(`${at}.image: ${JSON.stringify(o.image)} must be an image in the private registry without its host, e.g. "me/indexer:1.0" (push it to <first gateway container>:5011/me/indexer:1.0)`);
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

/** The repository of an image reference without its tag or digest (`me/indexer:1.0` → `me/indexer`). */
export const repositoryOf = (image: string) => image.replace(/@sha256:[0-9a-f]{64}$/, "").replace(/:[^:/]+$/, "");

/**
 * The shell that pins an app's image to the digest the private registry holds for it, run on a
 * kafka container (whose dockerd reaches the registry at `registryHost`): it pulls the image and
 * prints `host/repo:tag@sha256:…`. Docker pins a service's image to a digest when it is made
 * and records it so; a service named by tag alone would differ from its record at every up.
 * A tag is pinned when it first appears in the stack: a new build needs a new tag. An image the
 * registry lacks fails here, with the fix, before any service is touched.
 */
export function appImageScript(app: Pick<KafkaApp, "name" | "image">, registryHost: string): string {
    const ref = `${registryHost}/${app.image}`;
    // A sed pattern: the dots of the host's address taken literally.
    const repository = `${registryHost}/${repositoryOf(app.image)}`.replace(/\./g, "\\.");
    return [
        "set -eu",
        `if ! out="$(docker pull -q ${ref} 2>&1)"; then`,
        `  echo "bcm:kafka.apps ${app.name}: ${app.image} is not in the private registry (push it to <first gateway container>:5011/${app.image}, then run up again): $out" >&2; exit 1`,
        "fi",
        `digest="$(docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' ${ref} | sed -n 's|^${repository}@||p' | head -n 1)"`,
        `[ -n "$digest" ] || { echo "bcm:kafka.apps ${app.name}: the registry gave ${ref} no digest" >&2; exit 1; }`,
        `printf '%s@%s' ${ref.replace(/@sha256:[0-9a-f]{64}$/, "")} "$digest"`,
    ].join("\n");
}

/** The app's Kafka user: its principal is `User:app-<name>`, its consumer groups and transactional ids start with it. */
export const appUser = (app: Pick<KafkaApp, "name">) => `app-${app.name}`;

/** Where an app's password file is in its task (a Swarm secret). */
export const appPasswordFile = "/run/secrets/kafka-password";

/** What an app's task is told: where Kafka (its own listener, with its user) and the registry are, and its topics. */
export function appEnvironment(app: KafkaApp, tier: { appBootstrapServers: string; schemaRegistryUrls: string }): Record<string, string> {
    return {
        ...(app.env ?? {}),
        KAFKA_BOOTSTRAP_SERVERS: tier.appBootstrapServers,
        KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT",
        KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
        KAFKA_SASL_USERNAME: appUser(app),
        KAFKA_SASL_PASSWORD_FILE: appPasswordFile,
        SCHEMA_REGISTRY_URL: tier.schemaRegistryUrls,
        BCM_KAFKA_TOPICS: app.topics.join(","),
        BCM_KAFKA_GROUP_PREFIX: appUser(app),
        BCM_APP_NAME: app.name,
    };
}

/** The kafka-acls arguments of an app's grants (pure): its topics, and its groups and transactional ids by prefix. */
export function appAclArguments(app: KafkaApp): string[][] {
    const principal = ["--allow-principal", `User:${appUser(app)}`];
    return [
        [...principal, "--operation", "Read", "--operation", "Write", "--operation", "Describe", ...app.topics.flatMap((t) => ["--topic", t])],
        [...principal, "--operation", "Read", "--operation", "Describe", "--group", appUser(app), "--resource-pattern-type", "prefixed"],
        [...principal, "--operation", "Write", "--operation", "Describe", "--transactional-id", appUser(app), "--resource-pattern-type", "prefixed"],
    ];
}

/**
 * Finds the task of `broker` on this container (`missing` runs when there is none) and defines
 * `kafka` to run `bcm-kafka` in it, through its internal listener (as a super user) at
 * `$address`: the address the listener is bound to (what `bcm-kafka health` asks too), as the
 * broker's name also resolves to its address on the apps' network, where 9092 is closed and
 * Kafka's client would warn about it before trying the next.
 */
const inBrokerTask = (broker: string, missing: string) => [
    `task="$(docker ps -q --filter label=com.docker.swarm.service.name=${broker} | head -n 1)"`,
    `[ -n "$task" ] || { ${missing}; }`,
    `kafka() { docker exec -i "$task" bcm-kafka "$@"; }`,
    `address="$(docker exec "$task" cat /run/bcm-kafka/listen-address 2>/dev/null || true)"`,
    `[ -n "$address" ] || address=${broker}`,
];
const bootstrap = `--bootstrap-server "$address:9092"`;

/**
 * The shell that gives an app its access, run in broker 1's container with the app's password
 * on standard input: its SCRAM-SHA-512 credential (the password goes into the broker's task on
 * a pipe and into a file only the tool's user, kafka, reads, never onto a command line), then
 * its ACLs.
 * Both are idempotent: a rerun sets the same.
 */
export function appAccessScript(app: KafkaApp, broker: string): string {
    const file = `/run/bcm-kafka/scram-${appUser(app)}.properties`;
    return [
        "set -eu",
        ...inBrokerTask(broker, `echo "no running task of ${broker} in this container" >&2; exit 1`),
        "IFS= read -r PASSWORD",
        `case "$PASSWORD" in ''|*[!A-Za-z0-9]*) echo "the app's password must be letters and digits" >&2; exit 1 ;; esac`,
        // In a file the credential has no brackets: ConfigCommand matches `password=…` against the value as it is.
        `printf 'SCRAM-SHA-512=password=%s\n' "$PASSWORD" | docker exec -i "$task" sh -c 'umask 077; cat > ${file} && chown kafka:kafka ${file}'`,
        `if kafka configs ${bootstrap} --alter --entity-type users --entity-name ${appUser(app)} --add-config-file ${file} </dev/null >/dev/null; then status=0; else status=$?; fi`,
        `docker exec "$task" rm -f ${file}`,
        `[ "$status" = 0 ] || exit "$status"`,
        ...appAclArguments(app).map((a) => `kafka acls ${bootstrap} --add ${a.map(quote).join(" ")} </dev/null >/dev/null`),
        `echo "${appUser(app)}: SCRAM-SHA-512, ACLs on ${app.topics.length} topic(s)"`,
    ].join("\n");
}

/** The shell that takes an app's access away again (its ACLs and credential); with no broker left to ask, it says so and ends. */
export function appRevokeScript(app: KafkaApp, broker: string): string {
    return [
        ...inBrokerTask(broker, `echo "no running task of ${broker}: the access of ${appUser(app)} goes with the cluster" >&2; exit 0`),
        ...appAclArguments(app).map((a) => `kafka acls ${bootstrap} --remove --force ${a.map(quote).join(" ")} </dev/null >/dev/null || true`),
        `kafka configs ${bootstrap} --alter --entity-type users --entity-name ${appUser(app)} --delete-config SCRAM-SHA-512 </dev/null >/dev/null 2>&1 || true`,
    ].join("\n");
}

/** One shell word (the names are checked by readApps; quoted all the same). */
const quote = (w: string) => (/^[A-Za-z0-9._:@=-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
