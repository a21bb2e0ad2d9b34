import { LxdCluster } from "../cluster/lxdCluster";
import { swarmJoinScript, swarmNodeScript } from "../tier/swarmScripts";
import { Registered, recordResources, value } from "../testing/mocks";
import { DataCenter } from "./dataCenter";
import { readDataCenterSpec } from "./dataCenterSpec";
import { deviceSecretRequests, firstDeploySettings } from "./deviceSecrets";
import { requiredImages, resolveImages } from "./images";
import { echoWorkload } from "../testing/echo/workload";
import { workloads } from "./workloads";

const registered: Registered[] = [];
const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

beforeAll(() =>
    recordResources(registered, (type) =>
        type === "random:index/randomBytes:RandomBytes"
            ? { base64: Buffer.alloc(32, 5).toString("base64") }
            : type === "random:index/randomPassword:RandomPassword"
              ? { result: "pw0123456789", bcryptHash: "$2a$10$" + "b".repeat(53) }
              : type === "command:local:Command"
                ? { stdout: pem }
                : type === "lxd:index:Exec"
                  ? { stdout: "SWMTKN-1-aaa-bbb SWMTKN-1-ccc-ddd\n" }
                  : type === "docker:index/network:Network"
                    ? { ipamConfigs: [{ subnet: "10.0.9.0/24" }] }
                    : {},
    ),
);

const controllerKey = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n";
const built = { debian: "bcm/debian:1", registry: "bcm/registry:1", tor: "bcm/tor:1", toolbox: "bcm/toolbox:1", kafka: "bcm/kafka:1", streams: "bcm/streams:1", btcd: "bcm/btcd:1", lnd: "bcm/lnd:1", electrum: "bcm/electrum:1" };
const local = (name: string) => ({ name, mode: "local" as const, verify: false });

/** A data center under mocks from stack settings, with a workload table; resolves every export. */
async function deploy(name: string, config: Record<string, string>, table = workloads) {
    const spec = readDataCenterSpec((k) => config[k], table)!;
    const before = registered.length;
    const lxdCluster = new LxdCluster(`${name}-cluster`, { endpoints: ["h1", "h2"].map(local) });
    const dc = new DataCenter(
        name,
        {
            cluster: name,
            lxdCluster,
            bases: [0, 1].map((i) => ({ image: `fp${i}`, profile: "bcm-docker" })),
            spec,
            dockerImages: resolveImages(spec, built, table),
            dockerSocketDir: "/tmp/bcm-dc-test",
            workloads: table,
            deviceSecrets: Object.fromEntries(deviceSecretRequests(spec, name, table).map((d) => [d.key, "11".repeat(32)])),
        },
        {},
    );
    const s = dc.summary;
    await Promise.all([value(dc.urn), value(s.onions), ...s.containers.map((c) => value(c.address)), ...Object.values(s.networks).map(value), ...Object.values(dc.workloads).map((w) => value(w as never))]);
    return { dc, spec, mine: registered.slice(before) };
}

describe("DataCenter wiring (mocks)", () => {
    it("builds the gateway and every tier from the spec, and each workload from its table entry", async () => {
        const { dc, mine } = await deploy("dc1", {
            tiers: JSON.stringify({ gateway: { first: 1 }, kafka: {}, bitcoin: { first: 1 }, apps: {} }),
            tor: '{"network":"offline"}',
            bitcoin: JSON.stringify({ lndBirthday: "2026-12-01" }),
            controllerKey: controllerKey,
        });
        expect(dc.summary.containers.map((c) => c.name)).toEqual(["bcm-gateway-01", "bcm-kafka-01", "bcm-kafka-02", "bcm-bitcoin-01", "bcm-apps-01", "bcm-apps-02"]);
        const instances = mine.filter((r) => r.type === "lxd:index:Instance");
        // Every container is this cluster's, made from its endpoint's template image.
        expect(instances.map((i) => [i.inputs.name, i.inputs.image, i.inputs.config["user.bcm.cluster"]])).toContainEqual(["bcm-kafka-02", "fp1", "dc1"]);
        // The bitcoin workload's data volume lands on its first container only.
        const volumes = mine.filter((r) => r.type === "lxd:index:StorageVolume").map((r) => r.inputs.name);
        expect(volumes.filter((v) => v.includes("chain"))).toEqual(["bcm-bitcoin-01-chain-regtest"]);
        const services = mine.filter((r) => r.type === "docker:index/service:Service").map((r) => r.name).sort();
        expect(services).toEqual([
            "btcd-regtest", "chain-bridge-regtest", "electrum-regtest", "kafka-1", "kafka-2", "kafka-connect-1", "kafka-connect-2", "kafka-controller-1", "kafka-rest-1", "kafka-rest-2",
            "lnd-backup-regtest", "lnd-regtest", "registry", "registry-push", "schema-registry-1", "schema-registry-2", "tor",
        ]);
        // The chain flows into Kafka: the bridge reaches the node and the brokers, with the RPC password and certificate as secrets.
        const bridge = mine.find((r) => r.type === "docker:index/service:Service" && r.name === "chain-bridge-regtest")!.inputs;
        expect(bridge.taskSpec.networksAdvanceds.map((n: { id: string }) => n.id)).toEqual(["dc1-gateway-bitcoin-net-id", "dc1-gateway-kafka-net-id"]);
        expect(bridge.taskSpec.containerSpec.args).toEqual(expect.arrayContaining(["chain-bridge", "--chain=regtest", "--rpc-addr=btcd-regtest:18334", "--brokers=kafka-1:9092", "--registry=http://schema-registry-1:8081"]));
        expect(bridge.taskSpec.containerSpec.secrets.map((s: { fileName: string; fileUid: string }) => `${s.fileName}:${s.fileUid}`)).toEqual(["rpc-password:8081", "rpc.cert:8081"]);
        // The bitcoin workload's channel backups reach the kafka tier's overlay, because that tier runs.
        const backups = mine.find((r) => r.type === "docker:index/service:Service" && r.name === "lnd-backup-regtest")!.inputs;
        expect(backups.taskSpec.networksAdvanceds.map((n: { id: string }) => n.id)).toEqual(["dc1-gateway-bitcoin-net-id", "dc1-gateway-kafka-net-id"]);
        expect(backups.taskSpec.containerSpec.args).toContain("--kafka-brokers=kafka-1:9092");
        // Tor publishes the bitcoin workload's onions besides the registry's.
        expect(Object.keys(await value(dc.summary.onions)).sort()).toEqual(["btcd-regtest-p2p", "btcd-regtest-rpc", "electrum-regtest", "lnd-regtest", "registry"]);
        expect(Object.keys(dc.summary.networks)).toEqual(["gateway", "egress", "kafka", "bitcoin", "apps"]);
        // Only what the deployed workloads run is published (and debian, the base for users' own).
        const published = mine.filter((r) => r.name.endsWith("-image-transfer")).map((r) => r.inputs.environment.SOURCE).sort();
        expect(published).toEqual(["bcm/btcd:1", "bcm/debian:1", "bcm/electrum:1", "bcm/kafka:1", "bcm/lnd:1", "bcm/registry:1", "bcm/streams:1", "bcm/toolbox:1", "bcm/tor:1"]);
        expect(Object.keys(dc.workloads)).toEqual(["kafka", "bitcoin"]);
        expect(await value(dc.workloads.kafka as never)).toMatchObject({ bootstrapServers: "kafka-1:9092,kafka-2:9092", replicationFactor: 2 });
    });

    it("labels every Docker object it makes with its cluster (bcm.cluster), as cull and recovery look for", async () => {
        const { mine } = await deploy("dc3", { tiers: JSON.stringify({ gateway: { first: 1 }, kafka: {}, bitcoin: { first: 1 } }), tor: '{"network":"offline"}', bitcoin: JSON.stringify({ lndBirthday: "2026-12-01" }), controllerKey });
        const docker = mine.filter((r) => r.type.startsWith("docker:index/") && r.type !== "pulumi:providers:docker");
        expect(new Set(docker.map((r) => r.type))).toEqual(new Set(["docker:index/service:Service", "docker:index/secret:Secret", "docker:index/serviceConfig:ServiceConfig", "docker:index/network:Network"]));
        const unlabelled = docker.filter((r) => !(r.inputs.labels ?? []).some((l: { label: string; value: string }) => l.label === "bcm.cluster" && l.value === "dc3"));
        expect(unlabelled.map((r) => `${r.type} ${r.name}`)).toEqual([]);
    });

    it("cleans the swarm's stale entries over the gateway's socket whenever any member container, of any tier, is new", async () => {
        const { dc } = await deploy("dc4", { tiers: JSON.stringify({ gateway: { first: 1 }, kafka: {}, apps: {} }), tor: '{"network":"offline"}' });
        // It registers once every membership has: after the outputs deploy() waits for.
        const find = () => registered.find((r) => r.type === "command:local:Command" && r.name === "dc4-swarm-nodes-cleanup");
        for (let i = 0; i < 100 && !find(); i++) await new Promise((ok) => setTimeout(ok, 10));
        const cleanup = find()!.inputs;
        expect(cleanup.environment).toEqual({ TARGET_DOCKER: await value(dc.summary.dockerHost) });
        // The socket, then each member container's uuid (the mocks give every one "u").
        expect(cleanup.triggers).toEqual([await value(dc.summary.dockerHost), ...dc.summary.containers.map(() => "u")]);
        expect(dc.summary.containers).toHaveLength(5);
    });

    it("checks every other member's swarm against the gateway's manager node ID, so a swarm started anew is joined again", async () => {
        const { dc, mine } = await deploy("dc5", { tiers: JSON.stringify({ gateway: { first: 1 }, kafka: {}, apps: {} }), tor: '{"network":"offline"}' });
        const node = await value(dc.gateway.tier.managerNodeId!);
        expect(mine.find((r) => r.name === "dc5-gateway-tier-bcm-gateway-01-swarm-node")!.inputs.create).toEqual(["sh", "-c", swarmNodeScript]);
        // They register once the node ID and the tokens have resolved.
        const find = () => registered.filter((r) => r.type === "lxd:index:Exec" && r.name.startsWith("dc5-") && r.name.endsWith("-swarm-check"));
        for (let i = 0; i < 100 && find().length < 4; i++) await new Promise((ok) => setTimeout(ok, 10));
        const checks = find();
        expect(checks.map((r) => r.inputs.instance)).toEqual(dc.summary.containers.slice(1).map((c) => c.name));
        for (const c of checks) {
            expect(c.inputs.triggers).toEqual([node]);
            expect(c.inputs.environment).toEqual({ MANAGER: "10.0.0.9:2377", MANAGER_ID: node });
            expect(c.inputs.stdin).toBe("SWMTKN-1-aaa-bbb\n");
            expect(c.inputs.create).toEqual(["sh", "-c", swarmJoinScript]);
            expect(c.inputs.delete).toBeUndefined();
        }
    });

    it("deploys a new workload tier from its own folder and one table entry", async () => {
        const table = [...workloads, echoWorkload];
        const { dc, spec, mine } = await deploy("dc2", { tiers: JSON.stringify({ gateway: { first: 1 }, echo: { max: 1 } }), tor: '{"network":"offline"}', echo: '{"message":"hi there"}' }, table);
        expect(spec.settings.echo).toEqual({ message: "hi there" });
        const echo = mine.find((r) => r.type === "docker:index/service:Service" && r.name === "echo")!.inputs;
        expect(echo.taskSpec.containerSpec.env).toEqual({ MESSAGE: "hi there" });
        expect(echo.taskSpec.containerSpec.commands.join(" ")).toContain("python3 -m http.server");
        expect(echo.taskSpec.placement.constraints).toEqual(["engine.labels.bcm-tier == echo"]);
        expect(echo.taskSpec.networksAdvanceds.map((n: { id: string }) => n.id)).toEqual(["dc2-gateway-echo-net-id"]);
        expect(await value(dc.workloads.echo as never)).toEqual({ service: "echo", members: 1 });
        // Its settings are read in the same pass as the rest: a wrong one is named before anything registers.
        expect(() => readDataCenterSpec((k) => ({ tiers: '{"gateway":{},"echo":{}}', tor: '{"network":"offline"}', echo: '{"message":7}' })[k], table)).toThrow(/bcm:echo\.message: must be a non-empty string/);
    });
});

describe("what the device gives a deploy, and what a first deploy fixes", () => {
    const spec = (tiers: object, bitcoin?: object) => readDataCenterSpec((k) => ({ tiers: JSON.stringify(tiers), tor: '{"network":"offline"}', chain: "signet", bitcoin: bitcoin && JSON.stringify(bitcoin), controllerKey })[k])!;

    it("asks the device only for the deployed workloads, with the Lightning contract's label", () => {
        expect(deviceSecretRequests(spec({ gateway: {}, kafka: {} }), "c1")).toEqual([]);
        const [lnd] = deviceSecretRequests(spec({ gateway: {}, bitcoin: {} }), "c1");
        expect(lnd.key).toBe("lndSecret");
        expect(lnd.request).toMatchObject({ key: "BCM lnd c1 signet", encrypt: false, askOnEncrypt: false, askOnDecrypt: true, path: [0x8042434d, 0x80000001] });
    });

    it("fixes the Lightning birthday on the first deploy and never again", () => {
        expect(firstDeploySettings(spec({ gateway: {}, bitcoin: {} }), "2026-12-06")).toEqual({ bitcoin: { lndBirthday: "2026-12-06" } });
        expect(firstDeploySettings(spec({ gateway: {}, bitcoin: {} }, { lndBirthday: "2026-11-30" }), "2026-12-06")).toEqual({});
        expect(firstDeploySettings(spec({ gateway: {} }), "2026-12-06")).toEqual({});
    });

    it("needs the controller's key where a workload encrypts to it", () => {
        const read = (tiers: object, key?: string) => () => readDataCenterSpec((k) => ({ tiers: JSON.stringify(tiers), tor: '{"network":"offline"}', controllerKey: key })[k]);
        expect(read({ gateway: {}, bitcoin: {} })).toThrow(/^bcm:controllerKey: missing; the bitcoin tier encrypts to the controller's OpenPGP key: run `bcm init`/);
        expect(read({ gateway: {}, kafka: {} })).not.toThrow();
        expect(read({ gateway: {} }, "not a key")).toThrow(/bcm:controllerKey: is not an armored OpenPGP public key/);
    });
});

describe("images a data center runs", () => {
    const spec = (tiers: object, bitcoin?: object) => readDataCenterSpec((k) => ({ tiers: JSON.stringify(tiers), tor: '{"network":"offline"}', bitcoin: bitcoin && JSON.stringify(bitcoin), controllerKey })[k])!;

    it("are the gateway's and each deployed workload's, bitcoind only from the tag its settings fix", () => {
        expect(Object.keys(requiredImages(spec({ gateway: {} })))).toEqual(["registry", "tor", "toolbox"]);
        expect(requiredImages(spec({ gateway: {}, bitcoin: {} }, { implementation: "bitcoind", image: "bcm/bitcoind:27-ab" }))).toEqual({
            registry: undefined, tor: undefined, toolbox: undefined, bitcoind: "bcm/bitcoind:27-ab", lnd: undefined, electrum: undefined,
        });
        // The Electrum server's image only when it runs.
        expect(Object.keys(requiredImages(spec({ gateway: {}, bitcoin: {} }, { electrum: false })))).toEqual(["registry", "tor", "toolbox", "btcd", "lnd"]);
    });

    it("name every missing image and its fix", () => {
        expect(() => resolveImages(spec({ gateway: {}, kafka: {} }), { registry: "r", tor: "t", toolbox: "x" })).toThrow(
            /^bcm:dockerImages\.kafka: missing; run `bash images\/docker\/build\.sh` and set it from its output; bcm:dockerImages\.streams: missing/,
        );
    });
});
