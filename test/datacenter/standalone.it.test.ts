import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { docker, runOnce } from "../testing/swarmProbe";
import { openStack, repoRoot } from "../../engine";
import { policyDir, writePolicyConfig } from "../../automation/cluster/policyConfig";
import { clientAuthorization } from "../../components/tor/onion";
import { freePort, startTorNetwork, TorClient, TorNetwork } from "../tornet";

// The main job end to end: the root program (stacks/) as a standalone data center on this
// machine's LXD — a gateway tier and an "apps" tier of system containers in one Swarm — with
// its Tor joined to a private Tor network this test runs on the LXD bridge (never the public
// one). Overlays run unencrypted here: this kernel has no ESP, and with one endpoint the
// gateway says so and goes on (decideOverlayEncryption).
const bridge = "10.218.0.1";
/** A one-shot service on a tier; its output. */
const onTier = async (host: string, name: string, image: string, networks: string[], tier: string, script: string) =>
    (await runOnce(host, name, image, networks, `engine.labels.bcm-tier == ${tier}`, script)).out;

describe("standalone data center (real engine, LXD, Swarm, private Tor network)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-dc-"));
    const socketDir = path.join(home, "sock");
    const stackName = `dc${process.pid}`;
    let tornet: TorNetwork;
    let web: http.Server;
    let webPort: number;
    let externalOnion: string;
    let upstream: { name: string; port: number; pushPort: number };
    let stack: Stack;
    let dc: Record<string, any>;
    let policy: { policyPacks: string[]; policyPackConfigs: string[] };

    beforeAll(async () => {
        const existing = await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-(gateway|apps)-"], { stdin: "ignore" });
        if (existing.stdout.trim() !== "") {
            throw new Error(`system containers already exist on this LXD (${existing.stdout.trim()}): destroy that data center first (npm run up -- --destroy)`);
        }
        webPort = await freePort(bridge);
        web = http.createServer((_req, res) => res.end("hello from the private tor network\n"));
        await new Promise<void>((r) => web.listen(webPort, bridge, r));
        tornet = await startTorNetwork({ address: bridge, names: { "web.bcm.test": bridge } });
        externalOnion = (await tornet.startOnionService({ name: "web", targetPort: webPort, virtualPort: 80 })).onion;

        // The Docker Hub mirror's upstream for this test: a registry on the host that the mirror
        // reaches only through Tor (the private network's exits), holding an image we push to it.
        const images = JSON.parse((await execa("bash", [path.join(repoRoot, "images", "docker", "build.sh"), "--print"])).stdout.trim().split("\n").pop()!);
        upstream = { name: `bcm-it-upstream-${process.pid}`, port: await freePort(bridge), pushPort: await freePort("127.0.0.1") };
        await execa("docker", ["run", "-d", "--name", upstream.name, "-p", `${bridge}:${upstream.port}:5000`, "-p", `127.0.0.1:${upstream.pushPort}:5000`, images.registry]);
        const pushed = `127.0.0.1:${upstream.pushPort}/library/hello:1`;
        await execa("docker", ["tag", images.debian, pushed]);
        await execa("bash", ["-c", `for i in $(seq 1 20); do docker push -q ${pushed} && exit 0; sleep 1; done; exit 1`]);
        await execa("docker", ["rmi", pushed]);

        stack = await openStack({ workDir: repoRoot, stackName, passphrase: "dc-test-passphrase", home });
        const config: Record<string, string> = {
            "bcm:endpoints": JSON.stringify([{ name: "local", mode: "local" }]),
            "bcm:tiers": JSON.stringify({ gateway: {}, apps: {} }),
            "bcm:tor": JSON.stringify({ network: "private", dirAuthorities: tornet.dirAuthorityLines }),
            "bcm:dockerSocketDir": socketDir,
            "bcm:registryMirrorUpstream": `http://${bridge}:${upstream.port}`,
        };
        await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
        // Deployed as `npm run up` deploys: with the policy pack on every update.
        policy = { policyPacks: [policyDir], policyPackConfigs: [writePolicyConfig(home, stackName, undefined, config)] };
    }, 10 * 60_000);

    afterAll(async () => {
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await stack.workspace.removeStack(stackName).catch(() => undefined);
        }
        await tornet?.stop();
        if (upstream) await execa("docker", ["rm", "-f", upstream.name], { reject: false });
        web?.close();
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("comes up: gateway and apps tiers in one swarm, images in the private registry", async () => {
        const up = await stack.up({ ...policy, onOutput: (l) => process.env.BCM_TEST_VERBOSE && process.stdout.write(l) });
        expect(up.summary.result).toBe("succeeded");
        dc = (await stack.outputs()).dataCenter.value;
        expect(dc.containers.map((c: { name: string }) => c.name)).toEqual(["bcm-gateway-01", "bcm-apps-01"]);
        expect(dc.overlayEncrypted).toBe(false);
        const nodes = await docker(dc.dockerHost, ["node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"]);
        expect(nodes.stdout.split("\n").sort()).toEqual(["bcm-apps-01 Ready ", "bcm-gateway-01 Ready Leader"]);
        // dockerd keeps its data on the container's own storage volume.
        const root = await execa("lxc", ["exec", "bcm-gateway-01", "--", "findmnt", "-no", "SOURCE,TARGET", "/var/lib/docker"], { stdin: "ignore" });
        expect(root.stdout).toContain("/var/lib/docker");
        const catalog = await execa("curl", ["-sf", `http://${dc.registry}/v2/_catalog`]);
        expect(JSON.parse(catalog.stdout).repositories).toEqual(expect.arrayContaining(["bcm/registry", "bcm/tor", "bcm/toolbox"]));
        // The mirror fetches a manifest from its upstream through Tor (retried while Tor's circuits warm up).
        const manifest = await execa("curl", [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "--retry", "10", "--retry-all-errors", "--retry-delay", "3",
            "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json",
            `http://${dc.registryMirror}/v2/library/hello/manifests/1`,
        ], { reject: false });
        expect(manifest.stdout).toBe("200");
    });

    it("lets a workload in another tier reach an onion service and resolve names only through the gateway's Tor", async () => {
        const out = await onTier(
            dc.dockerHost, "e2e-through-tor", dc.images.toolbox, ["bcm-apps", "bcm-gateway"], "apps",
            `curl -s --max-time 60 --retry 5 --retry-all-errors --socks5-hostname tor:9050 http://${externalOnion}/; ` +
                `dig +short +time=10 +tries=3 @$(getent hosts tor | cut -d' ' -f1) -p 9053 web.bcm.test`,
        );
        expect(out).toContain("hello from the private tor network");
        expect(out).toContain(bridge);
    });

    it("gives a service without declared egress no way out, and one with egress a way out (control)", async () => {
        const probe = `nc -z -w 5 ${bridge} ${webPort} && echo OPEN || echo BLOCKED`;
        expect((await onTier(dc.dockerHost, "e2e-no-egress", dc.images.toolbox, ["bcm-apps", "bcm-gateway"], "apps", probe)).trim()).toBe("BLOCKED");
        expect((await onTier(dc.dockerHost, "e2e-egress", dc.images.toolbox, ["bcm-apps", "bcm-egress"], "apps", probe)).trim()).toBe("OPEN");
    });

    it("publishes the registry as an onion service that answers only authorized clients", async () => {
        const onion = dc.onions.registry;
        expect(onion.address).toMatch(/^[a-z2-7]{56}\.onion$/);
        const authDir = path.join(home, "auth");
        fs.mkdirSync(authDir, { mode: 0o700 });
        fs.writeFileSync(path.join(authDir, "registry.auth_private"), onion.clientAuthLines.controller + "\n", { mode: 0o600 });
        const strangerDir = path.join(home, "stranger");
        fs.mkdirSync(strangerDir, { mode: 0o700 });
        // A well-formed key for this address that the service does not list.
        fs.writeFileSync(path.join(strangerDir, "registry.auth_private"), clientAuthorization(onion.address).clientLine + "\n", { mode: 0o600 });
        const clients: TorClient[] = [await tornet.startClient({ clientAuthDir: authDir }), await tornet.startClient({ clientAuthDir: strangerDir })];
        try {
            // The onion leads to the registry's push side: it answers the key holder, and takes only the registry's credentials.
            const fetch = (c: TorClient, credentials?: string) =>
                execa("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "60", "--retry", "4", "--retry-all-errors", "--socks5-hostname", c.socks, ...(credentials ? ["-K", "-"] : []), `http://${onion.address}/v2/`], {
                    reject: false,
                    ...(credentials ? { input: `user = "${credentials}"\n` } : {}),
                });
            expect((await fetch(clients[0])).stdout).toBe("401");
            expect((await fetch(clients[0], `${dc.registryPush.user}:${dc.registryPush.password}`)).stdout).toBe("200");
            const refused = await execa("curl", ["-s", "--max-time", "30", "--socks5-hostname", clients[1].socks, `http://${onion.address}/v2/`], { reject: false });
            expect(refused.exitCode).not.toBe(0);
        } finally {
            await Promise.all(clients.map((c) => c.stop()));
        }
    });

    it("offers Tor's SOCKS port on the gateway container to the controller", async () => {
        const page = await execa("curl", ["-s", "--max-time", "60", "--retry", "4", "--retry-all-errors", "--socks5-hostname", dc.socks, `http://web.bcm.test:${webPort}/`]);
        expect(page.stdout).toContain("hello from the private tor network");
    });

    it("shows no changes on a second up", async () => {
        const again = await stack.up(policy);
        expect(again.summary.result).toBe("succeeded");
        expect(Object.keys(again.summary.resourceChanges ?? {})).toEqual(["same"]);
    });

    it("destroys every container, volume, network and swarm object", async () => {
        const destroyed = await stack.destroy();
        expect(destroyed.summary.result).toBe("succeeded");
        const left = await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-(gateway|apps)-"], { stdin: "ignore" });
        expect(left.stdout.trim()).toBe("");
        const volumes = await execa("lxc", ["storage", "volume", "list", "default", "--format", "json"], { stdin: "ignore" });
        expect(volumes.stdout).not.toMatch(/bcm-(gateway|apps)-\d+-docker/);
        expect(fs.existsSync(path.join(socketDir, "bcm-gateway-01.sock"))).toBe(false);
    });
});
