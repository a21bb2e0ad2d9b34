import fc from "fast-check";
import { brokersFrom, kafkaLayout, quorumSize, replication, topicScript, validateTopics } from "./layout";

const names = (n: number) => Array.from({ length: n }, (_, i) => `bcm-kafka-${String(i + 1).padStart(2, "0")}`);

describe("kafkaLayout", () => {
    it("puts KRaft controllers on the first containers, an odd number of them, at most 5", () => {
        expect([1, 2, 3, 4, 5, 6, 9].map(quorumSize)).toEqual([1, 1, 3, 3, 5, 5, 5]);
        const l = kafkaLayout(names(4));
        expect(l.controllers.map((c) => [c.service, c.container, c.id])).toEqual([
            ["kafka-controller-1", "bcm-kafka-01", 1001],
            ["kafka-controller-2", "bcm-kafka-02", 1002],
            ["kafka-controller-3", "bcm-kafka-03", 1003],
        ]);
        expect(l.controllerQuorum).toBe("1001@kafka-controller-1:9093,1002@kafka-controller-2:9093,1003@kafka-controller-3:9093");
    });

    it("runs a broker, a Connect worker, a schema registry and a REST proxy on every container", () => {
        const l = kafkaLayout(names(2));
        expect(l.brokers.map((b) => `${b.service}@${b.container}#${b.id}`)).toEqual(["kafka-1@bcm-kafka-01#1", "kafka-2@bcm-kafka-02#2"]);
        expect(l.connects.map((c) => `${c.service}@${c.container}`)).toEqual(["kafka-connect-1@bcm-kafka-01", "kafka-connect-2@bcm-kafka-02"]);
        expect(l.schemaRegistries.map((c) => `${c.service}@${c.container}`)).toEqual(["schema-registry-1@bcm-kafka-01", "schema-registry-2@bcm-kafka-02"]);
        expect(l.restProxies.map((c) => `${c.service}@${c.container}`)).toEqual(["kafka-rest-1@bcm-kafka-01", "kafka-rest-2@bcm-kafka-02"]);
        expect(l.bootstrapServers).toBe("kafka-1:9092,kafka-2:9092");
        expect([l.replicationFactor, l.minInsyncReplicas]).toEqual([2, 1]);
        expect(brokersFrom(l, "bcm-kafka-02")).toBe("kafka-2:9092,kafka-1:9092");
    });

    it("replicates three times at most, and a write waits for all copies but one", () => {
        expect([1, 2, 3, 4, 7].map(replication)).toEqual([
            { replicationFactor: 1, minInsyncReplicas: 1 },
            { replicationFactor: 2, minInsyncReplicas: 1 },
            { replicationFactor: 3, minInsyncReplicas: 2 },
            { replicationFactor: 3, minInsyncReplicas: 2 },
            { replicationFactor: 3, minInsyncReplicas: 2 },
        ]);
    });

    it("holds for any number of containers: an odd controller prefix, one of everything else each, new containers only add", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 5 }), (n, more) => {
                const l = kafkaLayout(names(n));
                expect(l.controllers.length % 2).toBe(1);
                expect(l.controllers.length).toBeLessThanOrEqual(Math.min(5, n));
                expect(l.controllers.length).toBeGreaterThanOrEqual(Math.min(5, n) - 1);
                expect(l.controllers.map((c) => c.container)).toEqual(names(n).slice(0, l.controllers.length));
                for (const procs of [l.brokers, l.connects, l.schemaRegistries, l.restProxies]) expect(procs.map((p) => p.container)).toEqual(names(n));
                const ids = [...l.controllers, ...l.brokers].map((p) => p.id);
                expect(new Set(ids).size).toBe(ids.length);
                expect(l.minInsyncReplicas).toBeLessThan(Math.max(2, l.replicationFactor));
                // With the quorum kept, more containers only add processes: every old one keeps its name, container and id.
                const grown = kafkaLayout(names(n + more), l.controllers.length);
                expect(grown.controllers).toEqual(l.controllers);
                expect(grown.brokers.slice(0, n)).toEqual(l.brokers);
            }),
        );
    });

    it("refuses no containers, repeated names, an even quorum and more controllers than containers", () => {
        expect(() => kafkaLayout([])).toThrow(/no containers; place the tier on at least one endpoint/);
        expect(() => kafkaLayout(["a", "a"])).toThrow(/repeat a name/);
        expect(() => kafkaLayout(names(4), 2)).toThrow(/^bcm:kafka\.controllers: 2 must be an odd whole number/);
        expect(() => kafkaLayout(names(2), 3)).toThrow(/^bcm:kafka\.controllers: 3 needs 3 kafka containers, there are 2; place the tier on more endpoints or set controllers to 1$/);
    });
});

describe("validateTopics", () => {
    it("defaults partitions to 1 and replication to the tier's", () => {
        expect(validateTopics([{ name: "blocks" }, { name: "tx.raw", partitions: 6, replicationFactor: 1 }], 5)).toEqual([
            { name: "blocks", partitions: 1, replicationFactor: 3 },
            { name: "tx.raw", partitions: 6, replicationFactor: 1 },
        ]);
    });

    it("names the field and the fix", () => {
        expect(() => validateTopics({}, 1)).toThrow(/^topics: must be a list/);
        expect(() => validateTopics([{ name: "a b" }], 1)).toThrow(/^topics\[0\]\.name: "a b" is not a Kafka topic name/);
        expect(() => validateTopics([{ name: "__consumer_offsets" }], 1)).toThrow(/keeps for its internal topics/);
        expect(() => validateTopics([{ name: "a" }, { name: "a" }], 1)).toThrow(/^topics\[1\]\.name: "a" is listed twice/);
        expect(() => validateTopics([{ name: "a", partitions: 0 }], 1)).toThrow(/^topics\[0\]\.partitions: 0 must be a whole number from 1 to 10000/);
        expect(() => validateTopics([{ name: "a", replicationFactor: 3 }], 2)).toThrow(/^topics\[0\]\.replicationFactor: 3 must be a whole number from 1 to 2 \(the brokers there are\)/);
        expect(() => validateTopics([{ name: "a", size: 3 }], 2)).toThrow(/^topics\[0\]\.size: unknown key/);
    });

    it("accepts exactly the names Kafka accepts (from its legal characters)", () => {
        fc.assert(
            fc.property(fc.string({ minLength: 1, maxLength: 300 }), (name) => {
                const legal = /^[A-Za-z0-9._-]{1,249}$/.test(name) && name !== "." && name !== ".." && !name.startsWith("__");
                let ok = true;
                try {
                    validateTopics([{ name }], 1);
                } catch {
                    ok = false;
                }
                expect(ok).toBe(legal);
            }),
        );
    });
});

describe("topicScript", () => {
    it("creates if missing and only ever grows partitions, through broker 1's task", () => {
        const s = topicScript({ name: "blocks", partitions: 3, replicationFactor: 1 }, "kafka-1");
        expect(s).toContain("label=com.docker.swarm.service.name=kafka-1");
        expect(s).toContain("--create --if-not-exists --topic 'blocks' --partitions 3 --replication-factor 1");
        expect(s).toContain("--alter --topic 'blocks' --partitions 3");
        expect(s).toMatch(/cannot reduce them to 3/);
        expect(s).not.toMatch(/--delete/);
    });
});
