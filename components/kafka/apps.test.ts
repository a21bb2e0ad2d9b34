import fc from "fast-check";
import { appEnvironment, readApps } from "./apps";

describe("bcm:kafka.apps", () => {
    const read = (raw: unknown) => {
        const problems: string[] = [];
        return { apps: readApps(raw, problems), problems };
    };

    it("takes an app with its image, topics, environment and replicas", () => {
        expect(read([{ name: "indexer", image: "me/indexer:1.0", topics: ["bitcoin.regtest.blocks"], env: { LOG: "debug" }, replicas: 2 }])).toEqual({
            apps: [{ name: "indexer", image: "me/indexer:1.0", topics: ["bitcoin.regtest.blocks"], env: { LOG: "debug" }, replicas: 2 }],
            problems: [],
        });
    });

    it("names each wrong field and its fix", () => {
        const { apps, problems } = read([
            { name: "Indexer", image: "docker.io/me/x:1", topics: [], env: { KAFKA_BOOTSTRAP_SERVERS: "x", "1A": "y" }, replicas: -1, port: 80 },
            { name: "a", image: "a", topics: ["t"] },
            { name: "a", image: "a", topics: ["t"] },
        ]);
        expect(apps).toEqual([{ name: "a", image: "a", topics: ["t"] }]);
        expect(problems).toEqual([
            "bcm:kafka.apps[0].port: unknown key; use name, image, topics, env or replicas",
            `bcm:kafka.apps[0].name: "Indexer" must be lower-case letters, digits and '-', starting with a letter (at most 40)`,
            `bcm:kafka.apps[0].image: "docker.io/me/x:1" must be an image in the private registry without its host, e.g. "me/indexer:1.0" (push it to 127.0.0.1:5010/me/indexer:1.0 on a swarm node)`,
            `bcm:kafka.apps[0].topics: must list the Kafka topics it uses, e.g. ["bitcoin.regtest.blocks"]`,
            "bcm:kafka.apps[0].env.KAFKA_BOOTSTRAP_SERVERS: the tier sets this one; leave it out",
            "bcm:kafka.apps[0].env.1A: must be a variable name with a string value",
            "bcm:kafka.apps[0].replicas: -1 must be a whole number from 0 to 100",
            `bcm:kafka.apps[2].name: "a" is listed twice`,
        ]);
        expect(read({}).problems).toEqual([`bcm:kafka.apps: must be a list of {"name": …, "image": …, "topics": [...]}`]);
    });

    it("accepts no image reference that names a registry host", () => {
        fc.assert(
            fc.property(fc.constantFrom("example.com", "localhost:5000", "127.0.0.1:5010", "a.b"), fc.stringMatching(/^[a-z]{1,8}$/), (host, repo) => {
                expect(read([{ name: "x", image: `${host}/${repo}:1`, topics: ["t"] }]).problems).toHaveLength(1);
            }),
        );
    });

    it("tells the app where Kafka, the registry and the REST proxy are, and its topics; the tier's variables win", () => {
        const env = appEnvironment(
            { name: "indexer", image: "me/indexer:1", topics: ["a", "b"], env: { LOG: "debug" } },
            { bootstrapServers: "kafka-1:9092,kafka-2:9092", schemaRegistryUrls: "http://schema-registry-1:8081", restProxyUrls: "http://kafka-rest-1:8082" },
        );
        expect(env).toEqual({
            LOG: "debug",
            KAFKA_BOOTSTRAP_SERVERS: "kafka-1:9092,kafka-2:9092",
            SCHEMA_REGISTRY_URL: "http://schema-registry-1:8081",
            BCM_KAFKA_REST_URL: "http://kafka-rest-1:8082",
            BCM_KAFKA_TOPICS: "a,b",
            BCM_APP_NAME: "indexer",
        });
    });
});
