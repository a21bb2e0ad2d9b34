import fc from "fast-check";
import { ensembleSize, kafkaLayout, topicScript, validateTopics } from "./layout";

const names = (n: number) => Array.from({ length: n }, (_, i) => `bcm-kafka-${String(i + 1).padStart(2, "0")}`);

describe("kafkaLayout", () => {
    it("puts ZooKeeper on the first containers, an odd number of them, at most 5", () => {
        expect([1, 2, 3, 4, 5, 6, 9].map(ensembleSize)).toEqual([1, 1, 3, 3, 5, 5, 5]);
        const l = kafkaLayout(names(4));
        expect(l.zookeepers.map((z) => [z.service, z.container, z.id])).toEqual([
            ["zookeeper-1", "bcm-kafka-01", 1],
            ["zookeeper-2", "bcm-kafka-02", 2],
            ["zookeeper-3", "bcm-kafka-03", 3],
        ]);
        expect(l.zookeeperServers).toBe("1=zookeeper-1:2888:3888,2=zookeeper-2:2888:3888,3=zookeeper-3:2888:3888");
        expect(l.zookeeperConnect).toBe("zookeeper-1:2181,zookeeper-2:2181,zookeeper-3:2181");
    });

    it("runs a broker and a Connect worker on every container, replication one copy per broker", () => {
        const l = kafkaLayout(names(2));
        expect(l.brokers.map((b) => `${b.service}@${b.container}#${b.id}`)).toEqual(["kafka-1@bcm-kafka-01#1", "kafka-2@bcm-kafka-02#2"]);
        expect(l.connects.map((c) => `${c.service}@${c.container}`)).toEqual(["kafka-connect-1@bcm-kafka-01", "kafka-connect-2@bcm-kafka-02"]);
        expect(l.bootstrapServers).toBe("kafka-1:9092,kafka-2:9092");
        expect(l.replicationFactor).toBe(2);
    });

    it("holds for any number of containers: ZooKeeper a majority-safe prefix, one broker and worker each", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 40 }), (n) => {
                const l = kafkaLayout(names(n));
                expect(l.zookeepers.length % 2).toBe(1);
                expect(l.zookeepers.length).toBeLessThanOrEqual(Math.min(5, n));
                expect(l.zookeepers.length).toBeGreaterThanOrEqual(Math.min(5, n) - 1);
                expect(l.zookeepers.map((z) => z.container)).toEqual(names(n).slice(0, l.zookeepers.length));
                expect(l.brokers.map((b) => b.container)).toEqual(names(n));
                expect(new Set(l.brokers.map((b) => b.id)).size).toBe(n);
                expect(l.connects.map((c) => c.container)).toEqual(names(n));
                expect(l.replicationFactor).toBe(n);
            }),
        );
    });

    it("refuses no containers and repeated names", () => {
        expect(() => kafkaLayout([])).toThrow(/no containers; place the tier on at least one endpoint/);
        expect(() => kafkaLayout(["a", "a"])).toThrow(/repeat a name/);
    });
});

describe("validateTopics", () => {
    it("defaults partitions to 1 and replication to one copy per broker", () => {
        expect(validateTopics([{ name: "blocks" }, { name: "tx.raw", partitions: 6, replicationFactor: 1 }], 3)).toEqual([
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
