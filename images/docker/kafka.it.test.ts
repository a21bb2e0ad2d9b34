import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { appAccessScript, appRevokeScript } from "../../components/kafka/apps";
import { docker, lastLine, waitFor } from "../../test/testing/support";

// BCM's Kafka image (images/docker/kafka), built by build.sh on the local dockerd and run for
// real on a private, internal Docker network (no route out): a KRaft controller, a broker and a
// Kafka Connect worker that carry a message and run a FileStream connector, then a quorum of
// three controllers with two brokers that loses its leader, takes back a broker killed and
// started again at once, and refuses a controller outside its static voter set. Everything this
// test creates is named bcm-it-kafka-<run>-... and removed afterwards, even when a test fails.

const repo = path.resolve(__dirname, "../..");
const buildScript = path.join(repo, "images/docker/build.sh");
const run = `bcm-it-kafka-${process.pid}-${randomBytes(3).toString("hex")}`;

type Result = { exitCode?: number; stdout: string; stderr: string };


/** docker exec CONTAINER CMD..., without failing: exit code and output. */
async function exec(container: string, ...cmd: string[]): Promise<Result> {
    return execa("docker", ["exec", container, ...cmd], { reject: false, stdin: "ignore" });
}



describe("BCM's Kafka image (images/docker/kafka), KRaft mode", () => {
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
    /** A new KRaft cluster id, from Kafka's own tool. */
    const newClusterId = async () => (await runOnce(tags.kafka, "storage", "random-uuid")).stdout.trim();
    /** `kafka-metadata-quorum describe --status`, through a broker. */
    const quorumStatus = async (container: string, broker: string) => {
        const r = await exec(container, "bcm-kafka", "metadata-quorum", "--bootstrap-server", broker, "describe", "--status");
        if (r.exitCode !== 0) throw new Error(r.stderr || r.stdout);
        return r.stdout;
    };

    beforeAll(async () => {
        const built = await execa("bash", [buildScript, "kafka", "toolbox"], {
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

    it("is built as bcm/kafka, Kafka 3.9.2 on Java 17", async () => {
        expect(tags.kafka).toMatch(/^bcm\/kafka:[0-9a-f]{16}$/);
        expect((await runOnce(tags.kafka, "version")).stdout.trim()).toBe("3.9.2");
        const java = await runOnce("--entrypoint", "java", tags.kafka, "-version");
        expect(java.stderr).toMatch(/openjdk version "17\./);
    });

    it("stops at once with a message naming the variable when a required setting is missing or wrong", async () => {
        const id = "QkNNLWthZmthLWl0LXRlcw";
        const cases: { args: string[]; message: string }[] = [
            { args: [tags.kafka, "broker"], message: "KAFKA_NODE_ID is not set" },
            { args: ["-e", "KAFKA_NODE_ID=1", tags.kafka, "broker"], message: "KAFKA_CLUSTER_ID is not set" },
            { args: ["-e", "KAFKA_NODE_ID=1", "-e", "KAFKA_CLUSTER_ID=short", tags.kafka, "broker"], message: "KAFKA_CLUSTER_ID must be 22 characters of base64url" },
            { args: ["-e", "KAFKA_NODE_ID=1", "-e", `KAFKA_CLUSTER_ID=${id}`, tags.kafka, "broker"], message: "KAFKA_CONTROLLER_QUORUM is not set" },
            {
                args: ["-e", "KAFKA_NODE_ID=1", "-e", `KAFKA_CLUSTER_ID=${id}`, "-e", "KAFKA_CONTROLLER_QUORUM=c1:9093", tags.kafka, "broker"],
                message: "KAFKA_CONTROLLER_QUORUM: 'c1:9093' is not ID@HOST:PORT",
            },
            {
                args: ["-e", "KAFKA_NODE_ID=1002", "-e", `KAFKA_CLUSTER_ID=${id}`, "-e", "KAFKA_CONTROLLER_QUORUM=1001@c1:9093", tags.kafka, "controller"],
                message: "KAFKA_CONTROLLER_QUORUM (1001@c1:9093) does not name this controller, KAFKA_NODE_ID=1002",
            },
            { args: [tags.kafka, "connect"], message: "CONNECT_BOOTSTRAP_SERVERS is not set" },
            { args: [tags.kafka, "nonsense"], message: "unknown command 'nonsense'" },
        ];
        for (const { args, message } of cases) {
            const r = await runOnce(...args);
            expect({ args, exitCode: r.exitCode }).toEqual({ args, exitCode: 1 });
            expect(r.stderr).toContain(message);
        }
        expect((await runOnce(tags.kafka, "--help")).stdout).toContain("KAFKA_CONTROLLER_QUORUM");
    });

    describe("a KRaft controller, a broker and a Kafka Connect worker", () => {
        const controllerData = volume("c1-data");
        const kafkaData = volume("kafka1-data");
        let controller = "";
        let kafka = "";
        let connect = "";
        let box = "";
        let clusterId = "";
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
            clusterId = await newClusterId();
            const kraft = ["-e", `KAFKA_CLUSTER_ID=${clusterId}`, "-e", "KAFKA_CONTROLLER_QUORUM=1001@controller-1:9093"];
            controller = await start("controller-1", "-v", `${controllerData}:/var/lib/kafka/data`, "-e", "KAFKA_NODE_ID=1001", ...kraft, tags.kafka, "controller");
            kafka = await start("kafka-1", "-v", `${kafkaData}:/var/lib/kafka/data`, "-e", "KAFKA_NODE_ID=1", ...kraft, tags.kafka, "broker");
            connect = await start("connect-1", "-e", "CONNECT_BOOTSTRAP_SERVERS=kafka-1:9092", tags.kafka, "connect");
            box = await start("toolbox", tags.toolbox);
        });

        it("the controller leads its quorum of one, as user kafka, in its volume, and the broker is its observer", async () => {
            const status = await waitFor("the quorum through the broker", 180, () => quorumStatus(kafka, "kafka-1:9092"));
            expect(status).toMatch(new RegExp(`^ClusterId:\\s+${clusterId}$`, "m"));
            expect(status).toMatch(/^LeaderId:\s+1001$/m);
            expect(status).toMatch(/^CurrentObservers:.*"id": 1\b/m);
            expect(await userOfPid1(controller)).toBe("kafka");
            expect(await docker("exec", controller, "cat", "/var/lib/kafka/data/meta.properties")).toMatch(/^node\.id=1001$/m);
            expect(await docker("exec", controller, "cat", "/var/lib/kafka/data/bcm-quorum")).toBe("1001@controller-1:9093");
            expect(await docker("exec", controller, "cat", "/run/bcm-kafka/controller.properties")).toMatch(/^process\.roles=controller$/m);
        });

        it("the broker takes a topic, a message from console-producer, and gives it back to console-consumer", async () => {
            // The first tool to succeed shows the broker up and unfenced by the controller.
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
            const meta = await docker("exec", kafka, "cat", "/var/lib/kafka/data/meta.properties");
            expect(meta).toMatch(/^node\.id=1$/m);
            expect(meta).toMatch(new RegExp(`^cluster\\.id=${clusterId}$`, "m"));
            expect(await docker("exec", kafka, "cat", "/run/bcm-kafka/server.properties")).toMatch(/^advertised\.listeners=PLAINTEXT:\/\/kafka-1:9092$/m);
            expect((await execa("docker", ["logs", kafka])).stdout).toMatch(/\[KafkaRaftServer nodeId=1\] Kafka Server started/);
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

        it("a broker volume of another cluster is refused, naming both ids", async () => {
            await docker("stop", kafka);
            const other = "QkNNLW90aGVyLWNsdXN0ZQ";
            const r = await runOnce("-v", `${kafkaData}:/var/lib/kafka/data`, "-e", "KAFKA_NODE_ID=1", "-e", `KAFKA_CLUSTER_ID=${other}`,
                "-e", "KAFKA_CONTROLLER_QUORUM=1001@controller-1:9093", tags.kafka, "broker");
            expect(r.exitCode).toBe(1);
            expect(r.stderr).toContain(`/var/lib/kafka/data belongs to Kafka cluster ${clusterId}, not KAFKA_CLUSTER_ID=${other}`);
        });
    });

    describe("a quorum of three controllers and two brokers", () => {
        const quorum = [1, 2, 3].map((n) => `100${n}@quorum-c${n}:9093`).join(",");
        let clusterId = "";
        const controllers: string[] = [];
        const brokers: string[] = [];
        const data = (n: string) => volume(`q-${n}-data`);
        const kraft = () => ["-e", `KAFKA_CLUSTER_ID=${clusterId}`, "-e", `KAFKA_CONTROLLER_QUORUM=${quorum}`];
        const controllerArgs = (n: number) => ["-v", `${data(`c${n}`)}:/var/lib/kafka/data`, "-e", `KAFKA_NODE_ID=100${n}`, ...kraft(), "-e", "KAFKA_REPLICATION_FACTOR=2",
            "-e", "KAFKA_QUORUM_CHECK_SERVERS=quorum-b1:9092,quorum-b2:9092", tags.kafka, "controller"];
        const leader = async () => Number(/^LeaderId:\s+(\d+)$/m.exec(await quorumStatus(brokers[0], "quorum-b1:9092,quorum-b2:9092"))?.[1]);

        beforeAll(async () => {
            clusterId = await newClusterId();
            for (const n of [1, 2, 3]) controllers.push(await start(`quorum-c${n}`, ...controllerArgs(n)));
            for (const n of [1, 2]) {
                brokers.push(await start(`quorum-b${n}`, "-v", `${data(`b${n}`)}:/var/lib/kafka/data`, "-e", `KAFKA_NODE_ID=${n}`, ...kraft(),
                    "-e", "KAFKA_REPLICATION_FACTOR=2", tags.kafka, "broker"));
            }
        });

        it("elects a leader among three voters, and the brokers replicate a topic twice with one copy needed", async () => {
            const status = await waitFor("the quorum with its leader", 240, () => quorumStatus(brokers[0], "quorum-b1:9092"));
            expect((status.match(/"id": 100[123]/g) ?? []).length).toBeGreaterThanOrEqual(3);
            expect([1001, 1002, 1003]).toContain(await leader());
            const created = await waitFor("topic r2", 180, async () => {
                const r = await exec(brokers[0], "bcm-kafka", "topics", "--bootstrap-server", "quorum-b1:9092", "--create", "--topic", "r2", "--partitions", "2");
                if (r.exitCode === 0 || /already exists/.test(r.stderr)) return true;
                throw new Error(r.stderr || r.stdout);
            });
            expect(created).toBe(true);
            const described = (await exec(brokers[0], "bcm-kafka", "topics", "--bootstrap-server", "quorum-b1:9092", "--describe", "--topic", "r2")).stdout;
            expect(described).toMatch(/ReplicationFactor: 2\s+Configs: min\.insync\.replicas=1/);
        });

        it("loses its leader and elects another; the old one comes back as a follower", async () => {
            const old = await leader();
            const oldContainer = controllers[old - 1001];
            await docker("stop", oldContainer);
            const next = await waitFor("a new leader", 120, async () => {
                const l = await leader();
                return l !== old && l > 1000 ? l : undefined;
            });
            expect(next).not.toBe(old);
            await docker("start", oldContainer);
            await waitFor(`${old} to follow again`, 120, async () => {
                const s = await exec(brokers[0], "bcm-kafka", "metadata-quorum", "--bootstrap-server", "quorum-b1:9092", "describe", "--replication");
                return new RegExp(`^${old}\\s.*\\sFollower`, "m").test(s.stdout) ? true : undefined;
            });
        });

        it("takes back a broker killed and started again at once (its old registration still within the session timeout)", async () => {
            await docker("kill", brokers[1]);
            await docker("start", brokers[1]);
            const logs = await waitFor("broker 2 started again", 120, async () => {
                const l = (await execa("docker", ["logs", "--since", "2m", brokers[1]], { reject: false })).stdout;
                return (l.match(/Kafka Server started/g) ?? []).length >= 1 && (await execa("docker", ["inspect", "-f", "{{.RestartCount}} {{.State.Running}}", brokers[1]])).stdout.endsWith("true") ? l : undefined;
            });
            expect(logs).toContain("[KafkaRaftServer nodeId=2] Kafka Server started");
            const described = await waitFor("r2 back in sync on both", 120, async () => {
                const d = (await exec(brokers[0], "bcm-kafka", "topics", "--bootstrap-server", "quorum-b1:9092", "--describe", "--topic", "r2")).stdout;
                return (d.match(/Isr: (1,2|2,1)\b/g) ?? []).length === 2 ? d : undefined;
            });
            expect(described).toMatch(/PartitionCount: 2/);
        });

        it("refuses to change a formed quorum: a voter given other voters, and a new controller outside the running quorum", async () => {
            await docker("stop", controllers[2]);
            const grown = `${quorum},1004@quorum-c4:9093,1005@quorum-c5:9093`;
            const changed = await runOnce("-v", `${data("c3")}:/var/lib/kafka/data`, "-e", "KAFKA_NODE_ID=1003", "-e", `KAFKA_CLUSTER_ID=${clusterId}`,
                "-e", `KAFKA_CONTROLLER_QUORUM=${grown}`, tags.kafka, "controller");
            expect(changed.exitCode).toBe(1);
            expect(changed.stderr).toContain(`this controller was formatted in the quorum ${quorum}, not KAFKA_CONTROLLER_QUORUM=${grown}`);
            const newcomer = await runOnce("-e", "KAFKA_NODE_ID=1004", "-e", `KAFKA_CLUSTER_ID=${clusterId}`, "-e", `KAFKA_CONTROLLER_QUORUM=${grown}`,
                "-e", "KAFKA_QUORUM_CHECK_SERVERS=quorum-b1:9092", tags.kafka, "controller");
            expect(newcomer.exitCode).toBe(1);
            expect(newcomer.stderr).toMatch(/the running cluster's quorum \(.*\) does not hold controller 1004: a static KRaft quorum cannot grow/);
            await docker("start", controllers[2]);
        });
    });

    // What a user's app gets in the data center (components/kafka/apps.ts), on real Kafka: a
    // broker with ACLs whose PLAINTEXT listener is only on the internal network and whose
    // SCRAM listener is on the apps' network; the app's grants made by the same script the
    // data center runs, through a docker that finds the broker's container as it finds a task.
    describe("ACLs and the apps' own listener", () => {
        const app = { name: "acl-it", image: "x", topics: ["mine"] };
        const password = `Pw${randomBytes(12).toString("hex")}`;
        const internal = `${run}-int`;
        const apps = `${run}-apps`;
        const networks: string[] = [];
        let broker = "";
        let client = "";
        let shim = "";
        /** A client in a container on the apps' network only: produces one record, prints "ok" or the error. */
        const produce = async (topic: string, user: string, pass: string, bootstrap = "acl-b1:9094") => {
            const script = [
                "import sys",
                "from confluent_kafka import Producer",
                "conf = {'bootstrap.servers': sys.argv[1], 'message.timeout.ms': 20000, 'socket.timeout.ms': 10000}",
                "if sys.argv[3]: conf.update({'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.username': sys.argv[3], 'sasl.password': sys.argv[4]})",
                "errors = []",
                "p = Producer(conf, error_cb=lambda e: errors.append(str(e)))",
                "p.produce(sys.argv[2], b'from an app', on_delivery=lambda err, msg: errors.append(str(err)) if err else None)",
                "left = p.flush(30)",
                "print('ok' if not errors and left == 0 else ('; '.join(errors) or 'not delivered'))",
            ].join("\n");
            return (await docker("exec", client, "python3", "-c", script, bootstrap, topic, user, pass)).trim();
        };
        const grant = (script: string, input: string) =>
            execa("sh", ["-c", script], { env: { PATH: `${shim}:${process.env.PATH}` }, input, reject: false });

        beforeAll(async () => {
            for (const n of [internal, apps]) {
                await docker("network", "create", "--internal", n);
                networks.push(n);
            }
            const subnet = async (n: string) => JSON.parse(await docker("network", "inspect", n, "--format", "{{json .IPAM.Config}}"))[0].Subnet as string;
            const clusterId = await newClusterId();
            const kraft = ["-e", `KAFKA_CLUSTER_ID=${clusterId}`, "-e", "KAFKA_CONTROLLER_QUORUM=1001@acl-c1:9093", "-e", "KAFKA_ACLS=on"];
            const name = (alias: string) => `${run}-${alias}`;
            containers.push(name("acl-c1"), name("acl-b1"), name("acl-app"));
            await docker("run", "-d", "--name", name("acl-c1"), "--hostname", "acl-c1", "--network", internal, "--network-alias", "acl-c1",
                "-e", "KAFKA_NODE_ID=1001", ...kraft, tags.kafka, "controller");
            // On both networks before it starts, as a Swarm task is.
            broker = name("acl-b1");
            await docker("create", "--name", broker, "--hostname", "acl-b1", "--network", internal, "--network-alias", "acl-b1",
                "-e", "KAFKA_NODE_ID=1", ...kraft, "-e", "KAFKA_ADVERTISED_HOST=acl-b1",
                "-e", `KAFKA_INTERNAL_SUBNET=${await subnet(internal)}`, "-e", `KAFKA_APPS_SUBNET=${await subnet(apps)}`, tags.kafka, "broker");
            await docker("network", "connect", "--alias", "acl-b1", apps, broker);
            await docker("start", broker);
            client = name("acl-app");
            await docker("run", "-d", "--name", client, "--network", apps, tags.toolbox, "sleep", "infinity");
            // The scripts find broker 1's task with `docker ps --filter label=…service.name=…`: here it is this container.
            shim = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-acl-it-"));
            fs.writeFileSync(path.join(shim, "docker"), `#!/bin/sh\nif [ "$1" = ps ]; then echo ${broker}; exit 0; fi\nexec ${(await execa("sh", ["-c", "command -v docker"])).stdout.trim()} "$@"\n`, { mode: 0o755 });
            await waitFor("topics through the internal listener", 180, async () => {
                for (const t of ["mine", "theirs"]) {
                    const r = await exec(broker, "bcm-kafka", "topics", "--bootstrap-server", "acl-b1:9092", "--create", "--if-not-exists", "--topic", t, "--partitions", "1", "--replication-factor", "1");
                    if (r.exitCode !== 0) return undefined;
                }
                return true;
            });
        });

        afterAll(async () => {
            for (const c of [client, broker, `${run}-acl-c1`]) if (c) await execa("docker", ["rm", "-f", "-v", c], { reject: false });
            for (const n of networks) await execa("docker", ["network", "rm", n], { reject: false });
            if (shim) fs.rmSync(shim, { recursive: true, force: true });
        });

        it("listens with PLAINTEXT on the internal network only, with SCRAM on the apps' one, and says so in its health", async () => {
            const conf = await docker("exec", broker, "cat", "/run/bcm-kafka/server.properties");
            expect(conf).toMatch(/^listeners=PLAINTEXT:\/\/[0-9.]+:9092,APPS:\/\/[0-9.]+:9094$/m);
            expect(conf).toMatch(/^authorizer\.class\.name=org\.apache\.kafka\.metadata\.authorizer\.StandardAuthorizer$/m);
            expect((await exec(broker, "bcm-kafka", "health")).exitCode).toBe(0);
            // From the apps' network the internal listener does not answer.
            expect(await produce("mine", "", "", "acl-b1:9092")).not.toBe("ok");
        });

        it("an app's user, made by the data center's script, writes its topic and nothing else; without its grants, not even that", async () => {
            expect(await produce("mine", "app-acl-it", password)).toMatch(/Authentication|SASL|auth/i);
            const granted = await grant(appAccessScript(app, "acl-b1"), `${password}\n`);
            expect({ code: granted.exitCode, stderr: granted.stderr }).toEqual({ code: 0, stderr: "" });
            expect(granted.stdout.trim()).toBe("app-acl-it: SCRAM-SHA-512, ACLs on 1 topic(s)");
            expect(await waitFor("the app's first write", 60, async () => ((await produce("mine", "app-acl-it", password)) === "ok" ? "ok" : undefined))).toBe("ok");
            expect(await produce("theirs", "app-acl-it", password)).toMatch(/TOPIC_AUTHORIZATION_FAILED|not authorized/i);
            expect(await produce("mine", "app-acl-it", "wrong-password")).toMatch(/Authentication|SASL|auth/i);
            const revoked = await grant(appRevokeScript(app, "acl-b1"), "");
            expect(revoked.exitCode).toBe(0);
            expect(await waitFor("the app refused", 60, async () => ((await produce("mine", "app-acl-it", password)) !== "ok" ? "refused" : undefined))).toBe("refused");
        });
    });
});
