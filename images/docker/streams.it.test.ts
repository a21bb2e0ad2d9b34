import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { execa } from "execa";
import { avroThroughRestScript, avroWithKafkaClientScript } from "../../test/testing/kafkaRest";
import { docker, lastLine, waitFor } from "../../test/testing/support";

// BCM's streams image (images/docker/streams: bcm-streams from services/streams) beside the
// kafka image, run for real on a private, internal Docker network: a KRaft controller and a
// broker, two schema registries and a REST proxy; a client in the toolbox image registers a
// schema in one registry, produces Avro through the proxy (which resolves the schema through
// the other registry) and reads it back; a Kafka client BCM did not write (confluent-kafka)
// reads it from the broker and writes one the proxy gives back. Everything is named
// bcm-it-streams-<run>-… and removed afterwards.

const repo = path.resolve(__dirname, "../..");
const run = `bcm-it-streams-${process.pid}-${randomBytes(3).toString("hex")}`;

describe("BCM's streams image (images/docker/streams): schema registry and REST proxy beside Kafka", () => {
    const network = `${run}-net`;
    const containers: string[] = [];
    let tags: Record<string, string> = {};

    const start = async (alias: string, ...args: string[]) => {
        const name = `${run}-${alias}`;
        containers.push(name);
        await docker("run", "-d", "--name", name, "--hostname", alias, "--network", network, "--network-alias", alias, ...args);
        return name;
    };
    const inToolbox = (script: string) => execa("docker", ["run", "--rm", "--network", network, tags.toolbox, "sh", "-c", script], { reject: false, stdin: "ignore", timeout: 300_000 });

    beforeAll(async () => {
        const built = await execa("bash", [path.join(repo, "images/docker/build.sh"), "kafka", "streams", "toolbox"], { reject: false, stdin: "ignore", cwd: repo });
        if (built.exitCode !== 0) throw new Error(`build.sh failed (${built.exitCode}):\n${built.stderr}`);
        tags = JSON.parse(lastLine(built.stdout));
        await docker("network", "create", "--internal", network);
        const id = (await execa("docker", ["run", "--rm", tags.kafka, "storage", "random-uuid"], { stdin: "ignore" })).stdout.trim();
        const kraft = ["-e", `KAFKA_CLUSTER_ID=${id}`, "-e", "KAFKA_CONTROLLER_QUORUM=1001@controller-1:9093"];
        await start("controller-1", "-e", "KAFKA_NODE_ID=1001", ...kraft, tags.kafka, "controller");
        await start("kafka-1", "-e", "KAFKA_NODE_ID=1", ...kraft, tags.kafka, "broker");
        for (const n of [1, 2]) await start(`schema-registry-${n}`, tags.streams, "schema-registry", "--brokers=kafka-1:9092");
        await start("kafka-rest-1", tags.streams, "rest-proxy", "--brokers=kafka-1:9092", "--registry=http://schema-registry-2:8081", "--base-url=http://kafka-rest-1:8082");
    }, 10 * 60_000);

    afterAll(async () => {
        for (const c of containers) await execa("docker", ["rm", "-f", "-v", c], { reject: false });
        await execa("docker", ["network", "rm", network], { reject: false });
    });

    it("runs bcm-streams as user streams, healthy by its own probe once Kafka answers", async () => {
        expect((await execa("docker", ["run", "--rm", tags.streams, "--version"], { stdin: "ignore" })).stdout).toMatch(/^bcm-streams \d+\.\d+\.\d+$/);
        for (const [c, port] of [[`${run}-schema-registry-1`, 8081], [`${run}-kafka-rest-1`, 8082]] as const) {
            await waitFor(`${c} to answer`, 180, async () =>
                ((await execa("docker", ["exec", c, "bcm-streams", "probe", `http://127.0.0.1:${port}/`], { reject: false })).exitCode === 0 ? true : undefined), 2000);
            expect(await docker("exec", c, "id", "-un")).toBe("streams");
        }
        // A wrong flag names itself.
        const bad = await execa("docker", ["run", "--rm", tags.streams, "schema-registry", "--brokers=kafka-1"], { reject: false, stdin: "ignore" });
        expect(bad.exitCode).toBe(1);
        expect(bad.stderr).toContain('--brokers: "kafka-1" is not HOST:PORT');
    }, 5 * 60_000);

    it("carries an Avro record registered in one registry, produced and consumed through the proxy (which asks the other)", async () => {
        const r = await inToolbox(avroThroughRestScript("http://schema-registry-1:8081", "http://kafka-rest-1:8082", "img-avro"));
        expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: "" });
        const answer = JSON.parse(lastLine(r.stdout));
        expect(answer.produced).toMatchObject({ value_schema_id: answer.schema_id, offsets: [{ partition: 0, offset: 0, error_code: null }] });
        expect(answer.records).toEqual([{ topic: "img-avro", key: null, value: { n: 42, note: { string: "through the proxy" } }, partition: 0, offset: 0 }]);
        // The registries share one store: the second knows the schema the first registered.
        const fromSecond = await inToolbox(`curl -sf http://schema-registry-2:8081/subjects/img-avro-value/versions/latest`);
        expect(JSON.parse(fromSecond.stdout)).toMatchObject({ subject: "img-avro-value", version: 1, id: answer.schema_id });
        // A Kafka client BCM did not write reads that record from the broker with the schema from
        // the registry, and what it writes the same way comes back decoded through the proxy.
        const other = await inToolbox(avroWithKafkaClientScript("kafka-1:9092", "http://schema-registry-2:8081", "http://kafka-rest-1:8082", "img-avro"));
        expect({ exitCode: other.exitCode, stderr: other.stderr }).toEqual({ exitCode: 0, stderr: "" });
        const independent = JSON.parse(lastLine(other.stdout));
        expect(independent.read).toEqual({ n: 42, note: "through the proxy" });
        expect(independent.schema_id).toBe(answer.schema_id);
        expect(independent.proxy_records.map((r: { value: unknown; offset: number }) => [r.offset, r.value])).toEqual([
            [0, { n: 42, note: { string: "through the proxy" } }],
            [1, { n: 7, note: { string: "from librdkafka" } }],
        ]);
    }, 5 * 60_000);
});
