import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { docker, runOnce, waitForTask } from "../testing/swarmProbe";
import { openStack, repoRoot } from "../../engine";
import {
    DaemonObjects,
    SecondDaemon,
    daemonObjects,
    lxcQuery,
    makeSshKey,
    routeSecondDaemon,
    startSecondDaemon,
    stopSecondDaemon,
} from "../../components/testing/secondDaemon";
import { pythonClient } from "../testing/kafkaRest";
import { makeClientCertificate } from "../../components/testing/lxd/testCertificate";

// The data center across two endpoints, end to end: the root program (stacks/) with this
// machine's LXD (mode "local") and a second LXD daemon in its own network and mount
// namespace (scripts/host/lxd-second-daemon.sh), bootstrapped over SSH and used over HTTPS
// like another machine. The gateway, kafka and apps tiers get one container on each; gateway-01
// and gateway-02 are swarm managers (the first up-to-5 endpoints), the others workers. The
// kafka tier runs two brokers, Connect workers, schema registries and REST proxies, and its
// topics survive one of its containers stopping.
//
// Between real machines the tier containers must reach each other's bridge addresses (swarm
// 2377/tcp, 7946/tcp+udp, 4789/udp, and the registry's 5010 on gateway-01, which the other
// endpoint's LXD proxy devices dial from that host): routed bridges. The second daemon's bridge
// has a fixed subnet without NAT, and `lxd-second-daemon.sh routes` routes it and the host's
// lxdbr0 subnet to each other over the veth pair, as routes on a LAN would, and exempts the
// traffic between them from the host lxdbr0's NAT: VXLAN that passes a source NAT arrives with
// bad UDP checksums and the overlay is dead in that direction (measured here without it: the
// swarm formed and the registry answered, but apps-02 counted every overlay packet from
// apps-01 as InCsumErrors).
//
// Overlays run unencrypted (bcm:overlayEncryption "off"): this kernel has no ESP, and with two
// endpoints "auto" refuses clear-text overlays (decideOverlayEncryption). On a real LAN that
// would put overlay traffic on the wire in clear; here it never leaves this machine.
//
// Only one data center may exist on the local LXD (the container names are fixed): run it
// under the lock, `flock /tmp/bcm-datacenter.lock npx jest test/datacenter/twoEndpoints
// --selectProjects integration --runInBand`.
const daemonName = "dc";
const secondAddress = "10.77.2.2/24";
const secondBridge = "10.78.2.1/24";
describe("a data center across two endpoints (real engine, two LXD daemons, Swarm)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-dc2-"));
    const socketDir = path.join(home, "sock");
    const stackName = `dc2x${process.pid}`;
    const timings: string[] = [];
    let daemon: SecondDaemon;
    let before: DaemonObjects;
    let stack: Stack | undefined;
    let dc: Record<string, any>;
    let destroyed = false;
    let ours = false;

    const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
        const t0 = Date.now();
        try {
            return await f();
        } finally {
            timings.push(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        }
    };
    /** `lxc` against the second daemon (its LXD_DIR) or, without one, the local daemon. */
    const lxcOn = (lxdDir: string | undefined, args: string[]) => {
        const env = { ...process.env };
        if (lxdDir) env.LXD_DIR = lxdDir;
        else delete env.LXD_DIR;
        return execa("lxc", args, { stdin: "ignore", env, extendEnv: false });
    };
    const instances = async (lxdDir: string | undefined) =>
        (await lxcOn(lxdDir, ["list", "--format", "csv", "-c", "n", "^bcm-(gateway|kafka|apps)-"])).stdout.split("\n").filter(Boolean).sort();
    const dockerVolumes = (lxdDir: string | undefined) =>
        lxcQuery<string[]>(lxdDir, "/1.0/storage-pools/default/volumes/custom").map((v) => decodeURIComponent(v.split("/").pop()!)).filter((n) => /^bcm-(gateway|kafka|apps)-\d+-docker$/.test(n));

    beforeAll(async () => {
        const existing = await instances(undefined);
        if (existing.length > 0) {
            throw new Error(
                `system containers already exist on the local LXD (${existing.join(", ")}): another data center is up. ` +
                    "Destroy it first (npm run up -- --destroy), and run this test under `flock /tmp/bcm-datacenter.lock`",
            );
        }
        ours = true;
        stopSecondDaemon(daemonName); // leftovers of a killed run
        const sshKey = makeSshKey(home);
        const cert = makeClientCertificate(home, "dc2-controller");
        daemon = await timed("second daemon start", async () =>
            startSecondDaemon({ name: daemonName, address: secondAddress, bridgeAddress: secondBridge, sshAuthorizedKeys: sshKey.publicKeyPath, sshPort: 2224 }),
        );
        const routes = routeSecondDaemon(daemonName);
        process.stderr.write(`routes between the endpoints' bridges:\n${routes}`);
        before = daemonObjects(daemon.lxdDir);

        stack = await openStack({ workDir: repoRoot, stackName, passphrase: "dc2-test-passphrase", home: path.join(home, "bcm") });
        const config: Record<string, string> = {
            "bcm:endpoints": JSON.stringify([
                { name: "local", mode: "local" },
                {
                    name: "second",
                    mode: "ssh",
                    host: daemon.ssh!.host,
                    port: daemon.ssh!.port,
                    user: "root",
                    sshKeyPath: sshKey.privateKeyPath,
                    hostKey: daemon.ssh!.hostKey,
                    clientCertificatePath: cert.certPath,
                    clientKeyPath: cert.keyPath,
                    // The second daemon's own LXD_DIR (the sshd in its namespace sees the host's files).
                    lxdDir: daemon.lxdDir,
                    // Routed, not NATed: its subnet is the one `routes` routes to.
                    bridge: { ipv4Address: secondBridge, ipv4Nat: false },
                },
            ]),
            "bcm:tiers": JSON.stringify({ gateway: {}, kafka: {}, apps: {} }),
            "bcm:tor": JSON.stringify({ network: "offline" }),
            // No ESP in this kernel; with two endpoints "auto" would (rightly) refuse.
            "bcm:overlayEncryption": "off",
            "bcm:dockerSocketDir": socketDir,
        };
        await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
    }, 10 * 60_000);

    afterAll(async () => {
        if (stack && !destroyed) {
            await stack.destroy().catch((e) => process.stderr.write(`destroy failed: ${e}\n`));
        }
        await stack?.workspace.removeStack(stackName).catch(() => undefined);
        if (ours) process.stderr.write(stopSecondDaemon(daemonName));
        fs.rmSync(home, { recursive: true, force: true });
        process.stderr.write(`timings: ${timings.join("; ")}\n`);
    });

    it("comes up: a container of each tier on each endpoint, one swarm of four nodes", async () => {
        const up = await timed("first up", () => stack!.up({ onOutput: (l) => process.env.BCM_TEST_VERBOSE && process.stdout.write(l) }));
        expect(up.summary.result).toBe("succeeded");
        dc = (await stack!.outputs()).dataCenter.value;
        expect(dc.containers.map((c: { name: string }) => c.name)).toEqual(["bcm-gateway-01", "bcm-gateway-02", "bcm-kafka-01", "bcm-kafka-02", "bcm-apps-01", "bcm-apps-02"]);
        expect(dc.overlayEncrypted).toBe(false);
        expect(await instances(undefined)).toEqual(["bcm-apps-01", "bcm-gateway-01", "bcm-kafka-01"]);
        expect(await instances(daemon.lxdDir)).toEqual(["bcm-apps-02", "bcm-gateway-02", "bcm-kafka-02"]);
        const address = (n: string) => dc.containers.find((c: { name: string }) => c.name === n).address as string;
        for (const n of ["bcm-gateway-02", "bcm-kafka-02", "bcm-apps-02"]) expect(address(n)).toMatch(/^10\.78\.2\.\d+$/);

        const nodes = await docker(dc.dockerHost, ["node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"]);
        expect(nodes.stdout.split("\n").sort()).toEqual([
            "bcm-apps-01 Ready ", "bcm-apps-02 Ready ", "bcm-gateway-01 Ready Leader", "bcm-gateway-02 Ready Reachable", "bcm-kafka-01 Ready ", "bcm-kafka-02 Ready ",
        ]);
        // Each node advertises its own bridge address (no NAT between the endpoints).
        for (const n of ["bcm-gateway-02", "bcm-apps-02"]) {
            const addr = await docker(dc.dockerHost, ["node", "inspect", n, "--format", "{{.Status.Addr}}"]);
            expect(addr.stdout.trim()).toBe(address(n));
        }
        // The second endpoint's apps container reaches the private registry on 127.0.0.1:5010:
        // an LXD proxy device that dials gateway-01's address from the second host.
        const catalog = await lxcOn(daemon.lxdDir, ["exec", "bcm-apps-02", "--", "curl", "-sf", "--max-time", "20", "http://127.0.0.1:5010/v2/_catalog"]);
        expect(JSON.parse(catalog.stdout).repositories).toEqual(expect.arrayContaining(["bcm/registry", "bcm/tor", "bcm/toolbox"]));
    });

    it("pulls from the private registry on the second endpoint and reaches a service on the other endpoint over the overlays", async () => {
        const web = "e2e-web";
        await docker(dc.dockerHost, [
            "service", "create", "--detach", "--name", web, "--endpoint-mode", "dnsrr",
            "--constraint", "node.hostname == bcm-apps-01", "--network", "bcm-apps",
            dc.images.toolbox, "sh", "-c", "mkdir -p /srv && echo hello from bcm-apps-01 > /srv/index.html && cd /srv && exec python3 -m http.server 8080",
        ]);
        try {
            expect((await waitForTask(dc.dockerHost, web, /^Running/)).node).toBe("bcm-apps-01");
            const r = await timed("cross-endpoint one-shot", () =>
                runOnce(
                    dc.dockerHost, "e2e-across", dc.images.toolbox, ["bcm-apps", "bcm-gateway"], "node.hostname == bcm-apps-02",
                    `curl -s --max-time 10 --retry 12 --retry-all-errors --retry-delay 2 http://${web}:8080/; ` +
                        "curl -s --max-time 10 --retry 5 --retry-all-errors http://registry:5000/v2/_catalog",
                ),
            );
            expect(r.node).toBe("bcm-apps-02");
            expect(r.state).toMatch(/^Complete/);
            expect(r.out).toContain("hello from bcm-apps-01");
            // gateway-01's registry by its name on the bcm-gateway overlay, from the other endpoint.
            expect(r.out).toContain('"bcm/toolbox"');
            // The toolbox image came to bcm-apps-02 from the private registry.
            const imagesOn02 = await lxcOn(daemon.lxdDir, ["exec", "bcm-apps-02", "--", "docker", "image", "ls", "--format", "{{.Repository}}"]);
            expect(imagesOn02.stdout.split("\n")).toContain("127.0.0.1:5010/bcm/toolbox");
        } finally {
            await docker(dc.dockerHost, ["service", "rm", web], { reject: false });
        }
    });

    it("shows no changes on a second up", async () => {
        const again = await timed("second up", () => stack!.up());
        expect(again.summary.result).toBe("succeeded");
        expect(Object.keys(again.summary.resourceChanges ?? {})).toEqual(["same"]);
    });

    it("runs two brokers, Connect workers, schema registries and REST proxies; a topic with two copies goes on while one kafka container is stopped", async () => {
        expect(dc.workloads.kafka).toMatchObject({
            bootstrapServers: "kafka-1:9092,kafka-2:9092",
            controllerQuorum: "1001@kafka-controller-1:9093",
            replicationFactor: 2,
            schemaRegistryUrls: "http://schema-registry-1:8081,http://schema-registry-2:8081",
            restProxyUrls: "http://kafka-rest-1:8082,http://kafka-rest-2:8082",
        });
        const services = await docker(dc.dockerHost, ["service", "ls", "--format", "{{.Name}} {{.Replicas}}"]);
        for (const n of [1, 2]) {
            for (const s of [`kafka-${n}`, `kafka-connect-${n}`, `schema-registry-${n}`, `kafka-rest-${n}`]) expect(services.stdout.split("\n")).toContain(`${s} 1/1`);
        }
        const placed = await docker(dc.dockerHost, ["service", "ps", "kafka-2", "kafka-rest-2", "schema-registry-2", "--filter", "desired-state=running", "--format", "{{.Node}}"]);
        expect(placed.stdout.split("\n")).toEqual(["bcm-kafka-02", "bcm-kafka-02", "bcm-kafka-02"]);
        /** A python3 script in a one-shot toolbox task on bcm-kafka-01: HTTP to the REST proxies, JSON out. */
        const throughRest = (name: string, body: string) =>
            timed(name, () =>
                runOnce(dc.dockerHost, name, dc.images.toolbox, ["bcm-kafka"], "node.hostname == bcm-kafka-01", [
                    "python3 - <<'EOF'",
                    pythonClient,
                    "J = 'application/vnd.kafka.json.v2+json'",
                    body,
                    "EOF",
                ].join("\n")),
            );
        const before = await throughRest("e2e-ha-before", [
            "cid = call('GET', 'http://kafka-rest-2:8082/v3/clusters', ctype='application/json')['data'][0]['cluster_id']",
            "t = call('POST', 'http://kafka-rest-2:8082/v3/clusters/' + cid + '/topics', {'topic_name': 'ha', 'partitions_count': 2, 'replication_factor': 2}, 'application/json')",
            "out = call('POST', 'http://kafka-rest-2:8082/topics/ha', {'records': [{'key': 'k%d' % i, 'value': {'n': i, 'when': 'before'}} for i in range(4)]}, J)",
            "print(json.dumps({'topic': t, 'produced': out}))",
        ].join("\n"));
        const b = JSON.parse(before.out.trim().split("\n").pop()!);
        expect(b.topic).toMatchObject({ topic_name: "ha", partitions_count: 2, replication_factor: 2 });
        expect(b.produced.offsets.every((o: { error: unknown }) => o.error === null)).toBe(true);

        // The second endpoint's kafka container stops (its broker, worker, registry and proxy with it).
        await timed("stop bcm-kafka-02", () => lxcOn(daemon.lxdDir, ["stop", "--timeout", "60", "bcm-kafka-02"]));
        try {
            const after = await throughRest("e2e-ha-after", [
                "out = call('POST', 'http://kafka-rest-1:8082/topics/ha', {'records': [{'key': 'k%d' % i, 'value': {'n': i, 'when': 'after'}} for i in range(4)]}, J)",
                "call('POST', 'http://kafka-rest-1:8082/consumers/ha', {'name': 'c1', 'format': 'json', 'auto.offset.reset': 'earliest'})",
                "call('POST', 'http://kafka-rest-1:8082/consumers/ha/instances/c1/subscription', {'topics': ['ha']})",
                "records = []",
                "for i in range(40):",
                "    records += call('GET', 'http://kafka-rest-1:8082/consumers/ha/instances/c1/records?timeout=2000', accept=J)",
                "    if len(records) >= 8: break",
                "print(json.dumps({'produced': out, 'values': sorted([r['value']['when'] + str(r['value']['n']) for r in records])}))",
            ].join("\n"));
            const a = JSON.parse(after.out.trim().split("\n").pop()!);
            expect(a.produced.offsets.map((o: { error: unknown }) => o.error)).toEqual([null, null, null, null]);
            expect(a.values).toEqual(["after0", "after1", "after2", "after3", "before0", "before1", "before2", "before3"]);
        } finally {
            await timed("start bcm-kafka-02", () => lxcOn(daemon.lxdDir, ["start", "bcm-kafka-02"]));
        }
        // Its services come back on it (pinned there, with their data).
        await timed("kafka-2 back", () => waitForTask(dc.dockerHost, "kafka-2", /^Running/, 300));
    });

    it("destroys everything: both daemons are left as they were", async () => {
        const destroyedResult = await timed("destroy", () => stack!.destroy());
        destroyed = true;
        expect(destroyedResult.summary.result).toBe("succeeded");
        expect(await instances(undefined)).toEqual([]);
        expect(dockerVolumes(undefined)).toEqual([]);
        expect(fs.existsSync(path.join(socketDir, "bcm-gateway-01.sock"))).toBe(false);
        // The second daemon is ours alone: exactly as before (instances, profiles, networks,
        // images, trust store), and no dockerd volume left.
        expect(daemonObjects(daemon.lxdDir)).toEqual(before);
        expect(dockerVolumes(daemon.lxdDir)).toEqual([]);
    });
});
