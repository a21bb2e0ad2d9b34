import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { execa } from "execa";
import { docker, lastLine, waitFor } from "../../test/testing/support";

// BCM's ZooKeeper and Kafka images (images/docker/zookeeper, images/docker/kafka), built by
// build.sh on the local dockerd and run for real on a private, internal Docker network (no
// route out): a standalone ZooKeeper, a broker and a Kafka Connect worker that carry a message
// and run a FileStream connector, then a three-server ZooKeeper ensemble that elects a leader
// and replicates a znode. Everything this test creates is named bcm-it-kafka-<run>-... and
// removed afterwards, even when a test fails.

const repo = path.resolve(__dirname, "../..");
const buildScript = path.join(repo, "images/docker/build.sh");
const run = `bcm-it-kafka-${process.pid}-${randomBytes(3).toString("hex")}`;

type Result = { exitCode?: number; stdout: string; stderr: string };


/** docker exec CONTAINER CMD..., without failing: exit code and output. */
async function exec(container: string, ...cmd: string[]): Promise<Result> {
    return execa("docker", ["exec", container, ...cmd], { reject: false, stdin: "ignore" });
}



describe("BCM's ZooKeeper and Kafka images (images/docker/zookeeper, images/docker/kafka)", () => {
    const network = `${run}-net`;
    const containers: string[] = [];
    const volumes: string[] = [];
    let networkCreated = false;
    let tags: Record<string, string> = {};

    /** docker run -d NAME on the test network, reachable there as ALIAS; returns the container's name. */
    const start = async (alias: string, ...args: string[]) => {
        const name = `${run}-${alias}`;
        containers.push(name);
        await docker("run", "-d", "--name", name, "--hostname", alias, "--network", network, "--network-alias", alias, ...args);
        return name;
    };
    /** A named volume this test removes afterwards. */
    const volume = (suffix: string) => {
        const name = `${run}-${suffix}`;
        volumes.push(name);
        return name;
    };
    /** docker run --rm (not detached), for a container that is expected to stop by itself. */
    const runOnce = (...args: string[]) =>
        execa("docker", ["run", "--rm", "--network", network, ...args], { reject: false, stdin: "ignore", timeout: 120_000 });
    const userOfPid1 = async (container: string) => (await docker("exec", container, "ps", "-o", "user:20=", "-p", "1")).trim();
    /**
     * The answer of a ZooKeeper four-letter word, asked from inside the container. printf, not
     * echo: a newline after the word is left unread when ZooKeeper closes the connection, the
     * kernel then resets it, and the answer can be lost (1 time in 20 here).
     */
    const fourLetters = async (container: string, word: string) =>
        (await exec(container, "sh", "-c", `printf ${word} | nc -w 5 127.0.0.1 2181`)).stdout;
    const zkMode = async (container: string) => /^Mode: (\w+)$/m.exec(await fourLetters(container, "srvr"))?.[1];

    beforeAll(async () => {
        const built = await execa("bash", [buildScript, "zookeeper", "kafka", "toolbox"], {
            reject: false,
            stdin: "ignore",
            cwd: repo,
        });
        if (built.exitCode !== 0) throw new Error(`build.sh failed (${built.exitCode}):\n${built.stderr}`);
        tags = JSON.parse(lastLine(built.stdout));
        // --internal: no route off the machine; the containers reach only each other.
        await docker("network", "create", "--internal", network);
        networkCreated = true;
    });

    afterAll(async () => {
        for (const c of containers) await execa("docker", ["rm", "-f", "-v", c], { reject: false });
        for (const v of volumes) await execa("docker", ["volume", "rm", "-f", v], { reject: false });
        if (networkCreated) await execa("docker", ["network", "rm", network], { reject: false });
    });

    it("are built as bcm/zookeeper and bcm/kafka, Kafka 3.9.2 on Java 17", async () => {
        expect(tags.zookeeper).toMatch(/^bcm\/zookeeper:[0-9a-f]{16}$/);
        expect(tags.kafka).toMatch(/^bcm\/kafka:[0-9a-f]{16}$/);
        expect((await runOnce(tags.kafka, "version")).stdout.trim()).toBe("3.9.2");
        const java = await runOnce("--entrypoint", "java", tags.kafka, "-version");
        expect(java.stderr).toMatch(/openjdk version "17\./);
        // The two images share the JRE's layer (same parent, same first step).
        const layers = async (tag: string) => JSON.parse(await docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", tag)) as string[];
        const [zk, kafka] = [await layers(tags.zookeeper), await layers(tags.kafka)];
        expect(zk.slice(0, 2)).toEqual(kafka.slice(0, 2));
    });

    it("stop at once with a message naming the variable when a required setting is missing or wrong", async () => {
        const cases: { args: string[]; message: string }[] = [
            { args: [tags.zookeeper], message: "ZOO_MY_ID is not set" },
            { args: ["-e", "ZOO_MY_ID=0", tags.zookeeper], message: "ZOO_MY_ID must be a whole number from 1 to 255" },
            {
                args: ["-e", "ZOO_MY_ID=4", "-e", "ZOO_SERVERS=1=a:2888:3888,2=b:2888:3888", tags.zookeeper],
                message: "has no entry for this server, ZOO_MY_ID=4",
            },
            { args: ["-e", "ZOO_MY_ID=1", "-e", "ZOO_SERVERS=1=a:2888", tags.zookeeper], message: "ZOO_SERVERS entry '1=a:2888' is not" },
            { args: ["-e", "KAFKA_ZOOKEEPER_CONNECT=zk:2181", tags.kafka, "broker"], message: "KAFKA_BROKER_ID is not set" },
            { args: ["-e", "KAFKA_BROKER_ID=1", tags.kafka, "broker"], message: "KAFKA_ZOOKEEPER_CONNECT is not set" },
            {
                args: ["-e", "KAFKA_BROKER_ID=1", "-e", "KAFKA_ZOOKEEPER_CONNECT=zk", tags.kafka, "broker"],
                message: "KAFKA_ZOOKEEPER_CONNECT: 'zk' is not HOST:PORT",
            },
            { args: [tags.kafka, "connect"], message: "CONNECT_BOOTSTRAP_SERVERS is not set" },
            { args: [tags.kafka, "nonsense"], message: "unknown command 'nonsense'" },
        ];
        for (const { args, message } of cases) {
            const r = await runOnce(...args);
            expect({ args, exitCode: r.exitCode }).toEqual({ args, exitCode: 1 });
            expect(r.stderr).toContain(message);
        }
        expect((await runOnce(tags.kafka, "--help")).stdout).toContain("KAFKA_REPLICATION_FACTOR");
        expect((await runOnce(tags.zookeeper, "--help")).stdout).toContain("ZOO_SERVERS");
    });

    describe("a standalone ZooKeeper, a broker and a Kafka Connect worker", () => {
        const zkData = volume("zk1-data");
        const kafkaData = volume("kafka1-data");
        let zk = "";
        let kafka = "";
        let connect = "";
        let box = "";
        /** curl from the toolbox container, on the test network. */
        const curl = async (...args: string[]) => docker("exec", box, "curl", "-fsS", "--max-time", "30", ...args);
        const kafkaTool = (...args: string[]) => exec(kafka, "bcm-kafka", ...args);
        const consumeOne = async (topic: string) => {
            const r = await kafkaTool("console-consumer", "--bootstrap-server", "kafka-1:9092", "--topic", topic,
                "--from-beginning", "--max-messages", "1", "--timeout-ms", "60000");
            if (r.exitCode !== 0) throw new Error(`console-consumer failed (${r.exitCode}): ${r.stderr}`);
            return r.stdout.trim();
        };

        beforeAll(async () => {
            zk = await start("zookeeper-1", "-v", `${zkData}:/var/lib/zookeeper`, "-e", "ZOO_MY_ID=1", tags.zookeeper);
            kafka = await start("kafka-1", "-v", `${kafkaData}:/var/lib/kafka/data`,
                "-e", "KAFKA_BROKER_ID=1", "-e", "KAFKA_ZOOKEEPER_CONNECT=zookeeper-1:2181", tags.kafka, "broker");
            connect = await start("connect-1", "-e", "CONNECT_BOOTSTRAP_SERVERS=kafka-1:9092", tags.kafka, "connect");
            box = await start("toolbox", tags.toolbox);
        });

        it("ZooKeeper serves, standalone, as user zookeeper, in its volume", async () => {
            expect(await waitFor("ZooKeeper to serve (srvr)", 120, () => zkMode(zk))).toBe("standalone");
            expect(await fourLetters(zk, "ruok")).toBe("imok");
            const health = await exec(zk, "bcm-zookeeper", "health");
            expect(health.exitCode).toBe(0);
            expect(health.stdout).toMatch(/^Mode: standalone$/m);
            // Through the network too, from another container.
            const srvr = await docker("exec", box, "sh", "-c", "printf srvr | nc -w 5 zookeeper-1 2181");
            expect(srvr).toMatch(/^Zookeeper version: 3\.8\./m);
            expect(srvr).toMatch(/^Mode: standalone$/m);
            expect(await userOfPid1(zk)).toBe("zookeeper");
            expect(await docker("exec", zk, "stat", "-c", "%U %a", "/var/lib/zookeeper")).toBe("zookeeper 750");
            expect(await docker("exec", zk, "cat", "/var/lib/zookeeper/myid")).toBe("1");
            expect(await docker("exec", zk, "cat", "/run/bcm-zookeeper/zoo.cfg")).toMatch(/^4lw\.commands\.whitelist=ruok,srvr,mntr,stat$/m);
            // Its log is the container's: no log files.
            expect((await execa("docker", ["logs", zk])).stdout).toContain("binding to port 0.0.0.0/0.0.0.0:2181");
        });

        it("the broker takes a topic, a message from console-producer, and gives it back to console-consumer", async () => {
            // The first tool to succeed shows the broker up and registered in ZooKeeper.
            const created = await waitFor("the broker to create topic t", 180, async () => {
                const r = await kafkaTool("topics", "--bootstrap-server", "kafka-1:9092", "--create", "--topic", "t",
                    "--partitions", "1", "--replication-factor", "1");
                if (r.exitCode === 0 || /already exists/.test(r.stderr)) return r.stdout || "exists";
                throw new Error(r.stderr || r.stdout);
            });
            expect(created).toMatch(/Created topic t\.|exists/);
            const described = await kafkaTool("topics", "--bootstrap-server", "kafka-1:9092", "--describe", "--topic", "t");
            expect(described.stdout).toMatch(/Topic: t\s+TopicId: \S+\s+PartitionCount: 1\s+ReplicationFactor: 1/);
            const message = `hello from ${run} ✓`;
            const produced = await execa("docker", ["exec", "-i", kafka, "bcm-kafka", "console-producer",
                "--bootstrap-server", "kafka-1:9092", "--topic", "t"], { reject: false, input: `${message}\n` });
            expect(produced.exitCode).toBe(0);
            expect(await consumeOne("t")).toBe(message);
        });

        it("the broker runs as kafka, in its volume, logging to stdout", async () => {
            expect(await userOfPid1(kafka)).toBe("kafka");
            expect(await docker("exec", kafka, "stat", "-c", "%U", "/var/lib/kafka/data")).toBe("kafka");
            expect(await docker("exec", kafka, "cat", "/var/lib/kafka/data/meta.properties")).toMatch(/^broker\.id=1$/m);
            expect(await docker("exec", kafka, "cat", "/run/bcm-kafka/server.properties")).toMatch(/^advertised\.listeners=PLAINTEXT:\/\/kafka-1:9092$/m);
            expect((await execa("docker", ["logs", kafka])).stdout).toMatch(/\[KafkaServer id=1\] started/);
            // No log files anywhere Kafka would put them.
            expect(await docker("exec", kafka, "sh", "-c",
                "find / -xdev -type f \\( -name 'server.log*' -o -name 'controller.log*' -o -name 'state-change.log*' -o -name '*gc.log*' \\)")).toBe("");
        });

        it("the Connect worker answers on its REST API with its version and lists the FileStream connectors", async () => {
            const info = await waitFor("Connect's REST API", 180, async () => {
                const body = JSON.parse(await curl("http://connect-1:8083/")) as { version?: string; kafka_cluster_id?: string };
                return body.version ? body : undefined;
            });
            expect(info.version).toBe("3.9.2");
            expect(info.kafka_cluster_id).toMatch(/^\S{22}$/);
            const plugins = JSON.parse(await curl("http://connect-1:8083/connector-plugins")) as { class: string; type: string }[];
            expect(plugins).toEqual(expect.arrayContaining([
                expect.objectContaining({ class: "org.apache.kafka.connect.file.FileStreamSourceConnector", type: "source" }),
                expect.objectContaining({ class: "org.apache.kafka.connect.file.FileStreamSinkConnector", type: "sink" }),
            ]));
            expect(await userOfPid1(connect)).toBe("kafka");
            // Its three topics, named after the group.
            const topics = await kafkaTool("topics", "--bootstrap-server", "kafka-1:9092", "--list");
            expect(topics.stdout.split("\n")).toEqual(expect.arrayContaining(["bcm-connect-configs", "bcm-connect-offsets", "bcm-connect-status"]));
        });

        it("the Connect worker runs a FileStreamSource connector into a topic", async () => {
            const line = `a line from a file, ${run}`;
            await docker("exec", connect, "sh", "-c", `printf '%s\\n' '${line}' > /tmp/bcm-in.txt && chmod 0644 /tmp/bcm-in.txt`);
            const config = { "connector.class": "FileStreamSource", "tasks.max": "1", file: "/tmp/bcm-in.txt", topic: "from-file" };
            await curl("-X", "PUT", "-H", "Content-Type: application/json", "--data", JSON.stringify(config),
                "http://connect-1:8083/connectors/file-source/config");
            await waitFor("the connector and its task to run", 120, async () => {
                const status = JSON.parse(await curl("http://connect-1:8083/connectors/file-source/status")) as {
                    connector: { state: string };
                    tasks: { state: string }[];
                };
                return status.connector.state === "RUNNING" && status.tasks[0]?.state === "RUNNING" ? true : undefined;
            });
            // The JSON converter, with schemas: the line is the payload of a string.
            const record = JSON.parse(await waitFor("the topic from-file", 120, () => consumeOne("from-file"))) as unknown;
            expect(record).toEqual({ schema: { type: "string", optional: false }, payload: line });
        });

        it("a ZooKeeper volume refuses another server's id", async () => {
            await docker("stop", zk);
            const r = await runOnce("-v", `${zkData}:/var/lib/zookeeper`, "-e", "ZOO_MY_ID=2", tags.zookeeper);
            expect(r.exitCode).toBe(1);
            expect(r.stderr).toContain("/var/lib/zookeeper/myid says this data belongs to server 1, but ZOO_MY_ID=2");
        });
    });

    describe("a three-server ZooKeeper ensemble", () => {
        const servers = [1, 2, 3].map((n) => `${n}=ensemble-${n}:2888:3888`).join(",");
        const members: string[] = [];

        const member = (n: number) => start(`ensemble-${n}`, "-e", `ZOO_MY_ID=${n}`, "-e", `ZOO_SERVERS=${servers}`, tags.zookeeper);

        beforeAll(async () => {
            members.push(await member(1));
        });

        it("does not serve with one server of three, and its health check says so", async () => {
            // Up, answering, but without a quorum.
            const answer = await waitFor("ensemble-1 to answer srvr", 120, async () => (await fourLetters(members[0], "srvr")) || undefined);
            expect(answer).toContain("This ZooKeeper instance is not currently serving requests");
            const health = await exec(members[0], "bcm-zookeeper", "health");
            expect(health.exitCode).toBe(1);
            // The others, one after another; the first started while their names did not resolve.
            members.push(await member(2), await member(3));
        });

        it("elects one leader and two followers", async () => {
            const modes = await waitFor("a leader and two followers", 180, async () => {
                const m = await Promise.all(members.map(zkMode));
                return m.filter((x) => x === "leader").length === 1 && m.filter((x) => x === "follower").length === 2 ? m : undefined;
            });
            expect([...modes].sort()).toEqual(["follower", "follower", "leader"]);
            const leader = members[modes.indexOf("leader")];
            expect(await fourLetters(leader, "mntr")).toMatch(/^zk_synced_followers\s+2$/m);
            for (const m of members) expect(await userOfPid1(m)).toBe("zookeeper");
        });

        it("replicates a znode written on one server to the others", async () => {
            const value = `v-${run}`;
            const cli = (container: string, ...args: string[]) => exec(container, "bcm-zookeeper", "cli", ...args);
            const created = await cli(members[0], "-server", "ensemble-1:2181", "create", "/bcm-it", value);
            expect(`${created.stdout}${created.stderr}`).toContain("Created /bcm-it");
            for (const m of [members[1], members[2]]) {
                const got = await waitFor(`/bcm-it on ${m}`, 60, async () => {
                    const r = await cli(m, "get", "/bcm-it");
                    return r.stdout.includes(value) ? r.stdout : undefined;
                });
                expect(got.split("\n")).toContain(value);
            }
        });

        it("survives the loss of its leader: the other two elect one, and the old leader rejoins as a follower", async () => {
            const modes = await Promise.all(members.map(zkMode));
            const old = members[modes.indexOf("leader")];
            expect(old).toBeDefined();
            await docker("stop", old);
            const rest = members.filter((m) => m !== old);
            await waitFor("a new leader among the other two", 120, async () => {
                const m = await Promise.all(rest.map(zkMode));
                return [...m].sort().join(",") === "follower,leader" ? m : undefined;
            });
            await docker("start", old);
            expect(await waitFor(`${old} to rejoin`, 120, () => zkMode(old))).toBe("follower");
            // The znode written before is there (the restarted container kept its data directory).
            expect((await exec(old, "bcm-zookeeper", "cli", "get", "/bcm-it")).stdout).toContain(`v-${run}`);
        });
    });
});
