import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { clusterWorkDir } from "../../automation/cluster/workdir";
import { openStack } from "../../engine";

// Every config mistake is caught before anything registers: each malformed stack config runs
// through the real cluster program (stacks/cluster) with `pulumi preview` on the project's
// engine, in a temporary BCM home with a file backend. Each must fail with one line naming
// the key, no stack trace, and no LXD or Docker object in the plan. Nothing touches a daemon.
const local = JSON.stringify([{ name: "local", mode: "local" }]);
const dc = { "bcm:endpoints": local, "bcm:tiers": JSON.stringify({ gateway: {}, kafka: {}, bitcoin: {} }), "bcm:tor": JSON.stringify({ network: "offline" }) };
const tiers = (t: object) => ({ ...dc, "bcm:tiers": JSON.stringify({ gateway: {}, ...t }) });
const ssh = { name: "h2", mode: "ssh", host: "192.0.2.10", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", clientCertificatePath: "/nonexistent/c.crt", clientKeyPath: "/nonexistent/c.key" };

/** [what, config, the key the one-line error must name] */
const cases: [string, Record<string, string>, string][] = [
    ["misspelled chain", { ...dc, "bcm:chian": "regtest" }, "bcm:chian: unknown key; did you mean bcm:chain?"],
    ["misspelled tiers", { "bcm:endpoints": local, "bcm:teirs": "{}" }, "bcm:teirs: unknown key; did you mean bcm:tiers?"],
    ["misspelled dockerImages", { ...dc, "bcm:dockerImage": "{}" }, "bcm:dockerImage: unknown key; did you mean bcm:dockerImages?"],
    ["misspelled overlayEncryption", { ...dc, "bcm:overlayEncrypton": "off" }, "bcm:overlayEncrypton: unknown key; did you mean bcm:overlayEncryption?"],
    ["misspelled registryMirrorUpstream", { ...dc, "bcm:registryMirrorUpstrem": "http://x" }, "bcm:registryMirrorUpstrem: unknown key; did you mean bcm:registryMirrorUpstream?"],
    ["misspelled kafka", { ...dc, "bcm:kafak": "{}" }, "bcm:kafak: unknown key; did you mean bcm:kafka?"],
    ["misspelled bitcoin", { ...dc, "bcm:bitcion": "{}" }, "bcm:bitcion: unknown key; did you mean bcm:bitcoin?"],
    ["misspelled dockerSocketDir", { ...dc, "bcm:dockerSockDir": "/tmp/s" }, "bcm:dockerSockDir: unknown key; did you mean bcm:dockerSocketDir?"],
    ["no Tor network", { "bcm:endpoints": local, "bcm:tiers": JSON.stringify({ gateway: {} }) }, "bcm:tor: missing"],
    ["Tor not JSON", { ...dc, "bcm:tor": "offline" }, "bcm:tor: is not JSON"],
    ["unknown Tor network", { ...dc, "bcm:tor": JSON.stringify({ network: "dark" }) }, "bcm:tor.network:"],
    ["unknown key in Tor", { ...dc, "bcm:tor": JSON.stringify({ network: "offline", socks: 9050 }) }, "bcm:tor.socks: unknown key"],
    ["private Tor without authorities", { ...dc, "bcm:tor": JSON.stringify({ network: "private" }) }, "bcm:tor.dirAuthorities:"],
    ["private Tor with a bad authority", { ...dc, "bcm:tor": JSON.stringify({ network: "private", dirAuthorities: ["nope"] }) }, "bcm:tor.dirAuthorities[0]:"],
    ["testnet4 (not a chain a data center runs)", { ...dc, "bcm:chain": "testnet4" }, 'bcm:chain: "testnet4" is not one of'],
    ["unknown chain", { ...dc, "bcm:chain": "moonnet" }, 'bcm:chain: "moonnet" is not one of'],
    ["tiers not JSON", { ...dc, "bcm:tiers": "gateway" }, "bcm:tiers: is not JSON"],
    ["tiers as a list", { ...dc, "bcm:tiers": JSON.stringify(["gateway"]) }, "bcm:tiers: must be an object"],
    ["no gateway tier", { ...dc, "bcm:tiers": JSON.stringify({ kafka: {} }) }, 'bcm:tiers: has no "gateway"'],
    ["reserved tier egress", tiers({ egress: {} }), 'bcm:tiers.egress: "egress" is reserved'],
    ["reserved tier publish", tiers({ publish: {} }), 'bcm:tiers.publish: "publish" is reserved'],
    ["tier name with capitals", tiers({ Kafka: {} }), "bcm:tiers.Kafka: a tier name is"],
    ["min above max", tiers({ kafka: { min: 3, max: 2 } }), "bcm:tiers.kafka.min: 3 is above max 2"],
    ["min above the endpoints", tiers({ kafka: { min: 2 } }), "bcm:tiers.kafka.min: needs at least 2 endpoint(s) but the cluster has 1"],
    ["misspelled placement key", tiers({ kafka: { frist: 1 } }), "bcm:tiers.kafka.frist: unknown key; did you mean first?"],
    ["negative placement", tiers({ kafka: { first: -1 } }), "bcm:tiers.kafka.first: must be a whole number"],
    ["unknown overlay encryption", { ...dc, "bcm:overlayEncryption": "maybe" }, 'bcm:overlayEncryption: "maybe" is not one of'],
    ["mirror upstream not http", { ...dc, "bcm:registryMirrorUpstream": "ftp://mirror" }, 'bcm:registryMirrorUpstream: "ftp://mirror" is not an http(s) URL'],
    ["unknown kafka key", { ...dc, "bcm:kafka": JSON.stringify({ topic: [] }) }, "bcm:kafka.topic: unknown key"],
    ["kafka topic reserved name", { ...dc, "bcm:kafka": JSON.stringify({ topics: [{ name: "__x" }] }) }, "bcm:kafka.topics[0].name:"],
    ["kafka heap too small", { ...dc, "bcm:kafka": JSON.stringify({ heapMiB: 12 }) }, "bcm:kafka.heapMiB:"],
    ["unknown bitcoin key", { ...dc, "bcm:bitcoin": JSON.stringify({ keepChain: true }) }, "bcm:bitcoin.keepChain: unknown key"],
    ["unknown bitcoin implementation", { ...dc, "bcm:bitcoin": JSON.stringify({ implementation: "bcoin" }) }, 'bcm:bitcoin.implementation: "bcoin"'],
    ["dockerImages not an object", { ...dc, "bcm:dockerImages": "[]" }, "bcm:dockerImages: must be an object"],
    ["dockerImages with a bad reference", { ...dc, "bcm:dockerImages": JSON.stringify({ tor: "Not A Ref" }) }, 'bcm:dockerImages.tor: "Not A Ref" is not an image reference'],
    ["dockerSocketDir relative", { ...dc, "bcm:dockerSocketDir": "sockets" }, 'bcm:dockerSocketDir: "sockets" must be an absolute path'],
    ["dockerSocketDir too long", { ...dc, "bcm:dockerSocketDir": `/${"d".repeat(100)}` }, "bcm:dockerSocketDir: "],
    ["no endpoints", { "bcm:tiers": dc["bcm:tiers"], "bcm:tor": dc["bcm:tor"] }, "bcm:endpoints: missing"],
    ["endpoints not JSON", { "bcm:endpoints": "local" }, "bcm:endpoints: is not JSON"],
    ["no endpoint in the list", { "bcm:endpoints": "[]" }, "bcm:endpoints: is empty"],
    ["unknown endpoint mode", { "bcm:endpoints": JSON.stringify([{ name: "a", mode: "ftp" }]) }, "bcm:endpoints[0].mode:"],
    ["misspelled endpoint key", { "bcm:endpoints": JSON.stringify([{ name: "a", mode: "local", sockePath: "/x" }]) }, "bcm:endpoints[0].sockePath: unknown key; remove it (did you mean socketPath?)"],
    ["raw.idmap in profileConfig", { "bcm:endpoints": JSON.stringify([{ name: "a", mode: "local", profileConfig: { "raw.idmap": "both 0 0" } }]) }, 'bcm:endpoints[0].profileConfig["raw.idmap"]:'],
    ["raw.lxc in profileConfig", { "bcm:endpoints": JSON.stringify([{ name: "a", mode: "local", profileConfig: { "raw.lxc": "lxc.apparmor.profile=unconfined" } }]) }, 'bcm:endpoints[0].profileConfig["raw.lxc"]:'],
    ["privileged profileConfig", { "bcm:endpoints": JSON.stringify([{ name: "a", mode: "local", profileConfig: { "security.privileged": "yes" } }]) }, 'bcm:endpoints[0].profileConfig["security.privileged"]:'],
    ["ssh endpoint without a host", { "bcm:endpoints": JSON.stringify([{ ...ssh, host: undefined }]) }, "bcm:endpoints[0].host: missing"],
    ["ssh endpoint without a pinned host key", { "bcm:endpoints": JSON.stringify([{ ...ssh, hostKey: undefined }]) }, "bcm:endpoints[0].hostKey: missing"],
    ["duplicate endpoint names", { "bcm:endpoints": JSON.stringify([{ name: "a", mode: "local" }, { name: "a", mode: "local" }]) }, 'bcm:endpoints[1].name: "a" is also'],
    ["bridge on a local endpoint", { "bcm:endpoints": JSON.stringify([{ name: "a", mode: "local", bridge: {} }]) }, 'bcm:endpoints[0].bridge: only for mode "ssh"'],
    ["ssh client certificate file missing", { "bcm:endpoints": JSON.stringify([ssh]) }, "bcm:endpoints[0].clientCertificatePath: cannot read /nonexistent/c.crt"],
    ["unknown system image", { "bcm:endpoints": local, "bcm:images": JSON.stringify({ "bcm-bsae": {} }) }, "bcm:images.bcm-bsae: unknown key; did you mean bcm-base?"],
    ["images not JSON", { "bcm:endpoints": local, "bcm:images": "bcm-base" }, "bcm:images: is not JSON"],
];

/** The preview's error diagnostics, resource types it planned, and whether it failed. */
interface Outcome {
    errors: string[];
    types: string[];
    failed: boolean;
}

describe("stack config mistakes are one-line errors before anything registers (real program, pulumi preview)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-cfg-"));
    const stackName = "cfg";
    let stack: Stack;
    let stackFile: string;
    let salt: string;

    /** Replaces the whole stack config (the stack file keeps its passphrase salt). */
    const setConfig = (config: Record<string, string>) => {
        const lines = Object.entries(config).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
        fs.writeFileSync(stackFile, `${salt}\nconfig:\n${lines.join("\n")}\n`);
    };
    const preview = async (): Promise<Outcome> => {
        const out: Outcome = { errors: [], types: [], failed: false };
        const onEvent = (e: EngineEvent) => {
            if (e.diagnosticEvent?.severity === "error") out.errors.push(e.diagnosticEvent.message);
            const t = e.resourcePreEvent?.metadata.type;
            if (t) out.types.push(t);
        };
        try {
            await stack.preview({ onEvent });
        } catch {
            out.failed = true;
        }
        return out;
    };

    beforeAll(async () => {
        stack = await openStack({ workDir: clusterWorkDir(home), stackName, passphrase: "cfg-test", home });
        stackFile = path.join(clusterWorkDir(home), `Pulumi.${stackName}.yaml`);
        salt = fs.readFileSync(stackFile, "utf8").split("\n").find((l) => l.startsWith("encryptionsalt:"))!;
        expect(salt).toBeDefined();
    }, 5 * 60_000);

    afterAll(async () => {
        await stack?.workspace.removeStack(stackName).catch(() => undefined);
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("has at least 40 cases, each naming a different mistake", () => {
        expect(cases.length).toBeGreaterThanOrEqual(40);
        expect(new Set(cases.map((c) => c[0])).size).toBe(cases.length);
    });

    it("sees LXD objects in the plan of a good config (the harness can tell)", async () => {
        setConfig({ "bcm:endpoints": local });
        const r = await preview();
        expect(r.errors).toEqual([]);
        expect(r.types).toEqual(expect.arrayContaining(["lxd:index:Profile", "lxd:index:Image"]));
    }, 5 * 60_000);

    it.each(cases)("%s: one line naming the key, no stack trace, no LXD or Docker object", async (_what, config, key) => {
        setConfig(config);
        const r = await preview();
        expect(r.failed).toBe(true);
        const text = r.errors.join("").trim();
        expect(text).toContain(key);
        expect(r.errors).toHaveLength(1);
        expect(text.split("\n")).toHaveLength(1);
        expect(text).not.toMatch(/unhandled exception|\bat .*\.(ts|js):\d+/);
        expect(r.types.filter((t) => /^(lxd|docker|command):/.test(t) || t.startsWith("bcm:"))).toEqual([]);
    }, 2 * 60_000);
});
