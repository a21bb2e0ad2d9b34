import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { appAccessScript, appAclArguments, appEnvironment, appImageScript, appRevokeScript, readApps, repositoryOf } from "./apps";

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
            `bcm:kafka.apps[0].image: "docker.io/me/x:1" must be an image in the private registry without its host, e.g. "me/indexer:1.0" (push it to <first gateway container>:5011/me/indexer:1.0)`,
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

    it("tells the app where Kafka (its own listener, its user) and the registry are, and its topics; the tier's variables win", () => {
        const env = appEnvironment(
            { name: "indexer", image: "me/indexer:1", topics: ["a", "b"], env: { LOG: "debug" } },
            { appBootstrapServers: "kafka-1:9094,kafka-2:9094", schemaRegistryUrls: "http://schema-registry-1:8081" },
        );
        expect(env).toEqual({
            LOG: "debug",
            KAFKA_BOOTSTRAP_SERVERS: "kafka-1:9094,kafka-2:9094",
            KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT",
            KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
            KAFKA_SASL_USERNAME: "app-indexer",
            KAFKA_SASL_PASSWORD_FILE: "/run/secrets/kafka-password",
            SCHEMA_REGISTRY_URL: "http://schema-registry-1:8081",
            BCM_KAFKA_TOPICS: "a,b",
            BCM_KAFKA_GROUP_PREFIX: "app-indexer",
            BCM_APP_NAME: "indexer",
        });
        expect(read([{ name: "x", image: "x", topics: ["t"], env: { KAFKA_SASL_USERNAME: "admin", KAFKA_SECURITY_PROTOCOL: "PLAINTEXT" } }]).problems).toEqual([
            "bcm:kafka.apps[0].env.KAFKA_SASL_USERNAME: the tier sets this one; leave it out",
            "bcm:kafka.apps[0].env.KAFKA_SECURITY_PROTOCOL: the tier sets this one; leave it out",
        ]);
    });

    it("grants an app its topics, and its groups and transactional ids by its user's prefix, nothing else", () => {
        expect(appAclArguments({ name: "indexer", image: "x", topics: ["bitcoin.regtest.blocks", "out"] })).toEqual([
            ["--allow-principal", "User:app-indexer", "--operation", "Read", "--operation", "Write", "--operation", "Describe", "--topic", "bitcoin.regtest.blocks", "--topic", "out"],
            ["--allow-principal", "User:app-indexer", "--operation", "Read", "--operation", "Describe", "--group", "app-indexer", "--resource-pattern-type", "prefixed"],
            ["--allow-principal", "User:app-indexer", "--operation", "Write", "--operation", "Describe", "--transactional-id", "app-indexer", "--resource-pattern-type", "prefixed"],
        ]);
    });
});

describe("an app's access scripts (real sh, a stand-in docker)", () => {
    const app = { name: "indexer", image: "x", topics: ["t1", "t-2"] };

    /** Runs a script with a stand-in docker that records each call and what it read on stdin; `task` is what `docker ps` prints. */
    function run(script: string, stdin: string, task = "abc123"): { code: number; calls: { argv: string; input: string }[]; stderr: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-app-access-"));
        const log = path.join(dir, "calls");
        fs.writeFileSync(
            path.join(dir, "docker"),
            `#!/bin/sh
input=""; case "$1" in exec) [ "$2" = "-i" ] && input="$(cat)" ;; esac
printf '%s\t%s\n' "$*" "$input" >>${log}
[ "$1" = ps ] && echo "${task}"
exit 0
`,
            { mode: 0o755 },
        );
        const r = spawnSync("sh", ["-c", script], { env: { PATH: `${dir}:/usr/bin:/bin` }, input: stdin, encoding: "utf8" });
        const calls = (fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "").split("\n").filter(Boolean).map((l) => ({ argv: l.split("\t")[0], input: l.split("\t")[1] ?? "" }));
        fs.rmSync(dir, { recursive: true });
        return { code: r.status ?? -1, calls, stderr: r.stderr };
    }

    it("writes the credential through a pipe into the broker's task (never an argument), then the grants, through the internal listener", () => {
        const r = run(appAccessScript(app, "kafka-1"), "Secret123\n");
        expect(r.code).toBe(0);
        expect(r.calls.filter((c) => c.argv.includes("Secret123"))).toEqual([]);
        const file = r.calls.find((c) => c.argv.includes("cat > /run/bcm-kafka/scram-app-indexer.properties"))!;
        expect(file.input).toBe("SCRAM-SHA-512=password=Secret123");
        const tools = r.calls.map((c) => c.argv).filter((a) => a.startsWith("exec -i abc123 bcm-kafka"));
        expect(tools).toEqual([
            "exec -i abc123 bcm-kafka configs --bootstrap-server kafka-1:9092 --alter --entity-type users --entity-name app-indexer --add-config-file /run/bcm-kafka/scram-app-indexer.properties",
            ...appAclArguments(app).map((a) => `exec -i abc123 bcm-kafka acls --bootstrap-server kafka-1:9092 --add ${a.join(" ")}`),
        ]);
        // The file goes as soon as the tool has read it.
        expect(r.calls.map((c) => c.argv)).toContain("exec abc123 rm -f /run/bcm-kafka/scram-app-indexer.properties");
    });

    it("refuses a password that is not letters and digits, and a container without the broker's task", () => {
        expect(run(appAccessScript(app, "kafka-1"), "a b]\n")).toMatchObject({ code: 1, stderr: expect.stringContaining("letters and digits") });
        expect(run(appAccessScript(app, "kafka-1"), "Secret123\n", "")).toMatchObject({ code: 1, stderr: expect.stringContaining("no running task of kafka-1") });
    });

    it("takes the grants and the credential away, and ends quietly when no broker is left", () => {
        const r = run(appRevokeScript(app, "kafka-1"), "");
        expect(r.code).toBe(0);
        expect(r.calls.map((c) => c.argv).filter((a) => a.includes(" bcm-kafka "))).toEqual([
            ...appAclArguments(app).map((a) => `exec -i abc123 bcm-kafka acls --bootstrap-server kafka-1:9092 --remove --force ${a.join(" ")}`),
            "exec -i abc123 bcm-kafka configs --bootstrap-server kafka-1:9092 --alter --entity-type users --entity-name app-indexer --delete-config SCRAM-SHA-512",
        ]);
        expect(run(appRevokeScript(app, "kafka-1"), "", "")).toMatchObject({ code: 0, calls: [expect.objectContaining({ argv: expect.stringMatching(/^ps /) })] });
    });
});

describe("an app's image pinned to its digest (real sh, a stand-in docker)", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    /** `pulls`: whether the stand-in's pull succeeds; `digests`: what its image inspect prints as RepoDigests. */
    function run(image: string, pulls: boolean, digests: string[]) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-app-image-"));
        fs.writeFileSync(
            path.join(dir, "docker"),
            `#!/bin/sh
case "$1" in
  pull) ${pulls ? "exit 0" : 'echo "manifest unknown" >&2; exit 1'} ;;
  image) printf '%s\\n' ${digests.map((d) => `'${d}'`).join(" ") || "''"} ;;
esac
`,
            { mode: 0o755 },
        );
        const r = spawnSync("sh", ["-c", appImageScript({ name: "indexer", image }, "127.0.0.1:5010")], { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: "utf8" });
        fs.rmSync(dir, { recursive: true });
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    }

    it("prints the tag with the digest of its own repository (not another's that shares the image)", () => {
        expect(run("me/indexer:1.0", true, [`127.0.0.1:5010/me/other@sha256:${"cd".repeat(32)}`, `127.0.0.1:5010/me/indexer@${digest}`])).toEqual({
            code: 0, stdout: `127.0.0.1:5010/me/indexer:1.0@${digest}`, stderr: "",
        });
        // A dot in the host is a dot, not any character.
        expect(run("me/indexer:1.0", true, [`127x0.0.1:5010/me/indexer@sha256:${"cd".repeat(32)}`])).toMatchObject({ code: 1 });
        expect(run(`me/indexer@${digest}`, true, [`127.0.0.1:5010/me/indexer@${digest}`])).toMatchObject({ code: 0, stdout: `127.0.0.1:5010/me/indexer@${digest}` });
    });

    it("fails with the fix when the registry lacks the image, or gives it no digest", () => {
        expect(run("me/indexer:1.0", false, [])).toMatchObject({
            code: 1,
            stderr: expect.stringContaining("bcm:kafka.apps indexer: me/indexer:1.0 is not in the private registry (push it to <first gateway container>:5011/me/indexer:1.0, then run up again): manifest unknown"),
        });
        expect(run("me/indexer:1.0", true, [])).toMatchObject({ code: 1, stderr: expect.stringContaining("no digest") });
    });

    it("takes the tag or digest off a reference, never a part of its path", () => {
        expect(repositoryOf("me/indexer:1.0")).toBe("me/indexer");
        expect(repositoryOf(`me/indexer@${digest}`)).toBe("me/indexer");
        expect(repositoryOf("indexer")).toBe("indexer");
        fc.assert(fc.property(fc.stringMatching(/^[a-z0-9]+(\/[a-z0-9]+){0,3}$/), fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,20}$/), (repo, tag) => repositoryOf(`${repo}:${tag}`) === repo && repositoryOf(repo) === repo));
    });
});
