import { plain, Registered, recordResources, value } from "../testing/mocks";
import { swarmNodeScript } from "../tier/swarmScripts";
import { GatewayTier } from "./gatewayTier";

const registered: Registered[] = [];

beforeAll(() =>
    recordResources(registered, (type) =>
        type === "random:index/randomBytes:RandomBytes"
            ? { base64: Buffer.alloc(32, 3).toString("base64") }
            : type === "random:index/randomPassword:RandomPassword"
              ? { result: "p".repeat(32), bcryptHash: "$2a$10$" + "a".repeat(53) }
            : type === "command:local:Command"
              ? { stdout: "127.0.0.1:5010/bcm/x@sha256:ab\n" }
              : type === "lxd:index:Exec"
                ? { stdout: "SWMTKN-1-aaa-bbb SWMTKN-1-ccc-ddd\n" }
                : {},
    ),
);

const members = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ containerName: `bcm-gateway-0${i + 1}`, endpoint: {}, image: "fp", profiles: ["default"], swarmRole: "manager" as const }));
const images = { registry: "bcm/registry:1", tor: "bcm/tor:1", extra: { toolbox: "bcm/toolbox:1" } };

/** The resources a gateway registered, after its outputs resolved. */
async function build(name: string, args: Partial<ConstructorParameters<typeof GatewayTier>[1]> = {}) {
    const before = registered.length;
    const gw = new GatewayTier(name, { cluster: "c", members: members(1), dockerSocketDir: "/tmp/bcm-gw-test", images, tor: { network: "public" }, tierNetworks: ["kafka"], ...args });
    await Promise.all([value(gw.onions), value(gw.urn), ...gw.services.map((s) => value(s.serviceName)), ...Object.values(gw.images).map(value)]);
    const mine = registered.slice(before);
    const service = (n: string) => mine.find((r) => r.type === "docker:index/service:Service" && r.name === n)?.inputs;
    return { gw, mine, service };
}

describe("GatewayTier wiring (mocks)", () => {
    it("runs the registry, Tor and the mirror on the first gateway container, each part wired to the others", async () => {
        const { gw, mine, service } = await build("g1");
        expect(gw.services.length).toBe(4);
        const registry = service("registry")!;
        // Two sides on one storage: pulls read-only without credentials on 5010, pushes with them on 5011.
        const push = service("registry-push")!;
        expect(push.endpointSpec.ports).toEqual([{ targetPort: 5000, publishedPort: 5011, protocol: "tcp", publishMode: "host" }]);
        expect(push.taskSpec.containerSpec.secrets.map((s: { fileName: string }) => s.fileName)).toEqual(["registry-htpasswd"]);
        for (const [svc, role] of [[registry, "pull"], [push, "push"]] as const) {
            expect(svc.taskSpec.containerSpec.args).toEqual(["serve", "/etc/bcm/registry.yml"]);
            const cfg = mine.find((r) => r.name === `g1-registry-${role}-config`)!;
            expect(Buffer.from(cfg.inputs.data, "base64").toString()).toMatch(/delete:\n    enabled: false/);
        }
        const htpasswd = mine.find((r) => r.name === "g1-registry-htpasswd")!;
        expect(Buffer.from(plain(htpasswd.inputs.data), "base64").toString()).toBe(`bcm:$2a$10$${"a".repeat(53)}\n`);
        // The firewall is in place before the swarm's docker provider (and so before any service).
        const firewall = mine.find((r) => r.name === "g1-bcm-gateway-01-firewall")!;
        expect(firewall.inputs.create[2]).toContain("bcm-gateway-firewall");
        // Pushes carry the credentials in the command's environment (secret), never an argument.
        const pushed = mine.find((r) => r.name === "g1-tor-image-transfer")!;
        expect(plain(pushed.inputs.environment)).toMatchObject({ PUSH_REGISTRY: "127.0.0.1:5011", REGISTRY_USER: "bcm", REGISTRY_PASSWORD: "p".repeat(32) });
        expect(registry.taskSpec.placement.constraints).toEqual(["engine.labels.bcm-tier == gateway", "node.hostname == bcm-gateway-01"]);
        expect(registry.endpointSpec.ports).toEqual([{ targetPort: 5000, publishedPort: 5010, protocol: "tcp", publishMode: "host" }]);
        // The registry runs from the image loaded (not pushed) into the manager: nothing runs yet to push to.
        expect(registry.taskSpec.containerSpec.image).toBe("127.0.0.1:5010/bcm/x@sha256:ab");
        const load = mine.find((r) => r.name === "g1-registry-load-transfer")!;
        expect(load.inputs.environment).toMatchObject({ SOURCE: "bcm/registry:1", PUSH: "false" });
        // A swarm started anew (the first manager made again without its docker volume): the
        // registry's image is loaded into the new dockerd, every image pushed into the registry
        // made again.
        const node = mine.find((r) => r.name === "g1-tier-bcm-gateway-01-swarm-node")!;
        expect(node.inputs.create).toEqual(["sh", "-c", swarmNodeScript]);
        expect(load.inputs.triggers.at(-1)).toBe(await value(gw.tier.managerNodeId!));
        expect(pushed.inputs.triggers.at(-1)).toBe("registry-id");
        // Every image the tiers need is published once.
        expect(mine.filter((r) => r.type === "command:local:Command").map((r) => r.name).sort()).toEqual(
            ["g1-registry-image-transfer", "g1-registry-load-transfer", "g1-toolbox-image-transfer", "g1-tor-image-transfer"],
        );
        // The operator's Docker socket is the tier's InstanceSocket (a forwarder), not an LXD proxy device.
        expect(mine.filter((r) => r.type === "lxd:index:InstanceSocket").map((r) => [r.name, r.inputs.instance, r.inputs.path])).toEqual([
            ["g1-tier-bcm-gateway-01-socket", "bcm-gateway-01", "/tmp/bcm-gw-test/bcm-gateway-01.sock"],
        ]);
        const container = mine.find((r) => r.type === "lxd:index:Instance" && r.inputs.name === "bcm-gateway-01")!;
        expect(Object.values(container.inputs.devices as Record<string, { type: string }>).map((d) => d.type)).not.toContain("proxy");
        // The swarm's manager comes back on the address it had when its container is made again.
        const held = mine.filter((r) => r.type === "lxd:index:StaticAddress");
        expect(held.map((r) => [r.name, r.inputs.instance])).toEqual([["g1-tier-bcm-gateway-01-address", "bcm-gateway-01"]]);
        expect(container.inputs.devices.eth0).toEqual({ type: "nic", name: "eth0", network: "lxdbr0", "ipv4.address": "10.0.0.254" });

        const tor = service("tor")!;
        // Tor joins the gateway overlay and every tier's, always as `tor`, plus egress (its own way out).
        const nets = tor.taskSpec.networksAdvanceds.map((n: { id: string; aliases: string[] }) => [n.id, n.aliases]);
        expect(nets).toEqual([["g1-net-id", ["tor"]], ["g1-kafka-net-id", ["tor"]], ["g1-egress-id", []]]);
        expect(tor.taskSpec.containerSpec.configs.map((c: { fileName: string }) => c.fileName)).toEqual(["/etc/bcm/torrc"]);
        expect(tor.taskSpec.containerSpec.secrets.map((s: { fileName: string }) => s.fileName)).toEqual(["onion-registry-secret", "onion-registry-clients"]);
        expect(tor.endpointSpec.ports.map((p: { publishedPort: number; protocol: string }) => `${p.publishedPort}/${p.protocol}`)).toEqual(["9050/tcp", "9053/udp"]);
        const torrc = Buffer.from(mine.find((r) => r.name === "g1-torrc")!.inputs.data, "base64").toString();
        expect(torrc).toMatch(/^HiddenServicePort 80 /m);
        expect(torrc).not.toMatch(/DisableNetwork 1/);

        const mirror = service("registry-mirror")!;
        expect(mirror.taskSpec.containerSpec.env).toMatchObject({ REGISTRY_PROXY_REMOTEURL: "https://registry-1.docker.io", HTTPS_PROXY: "socks5://tor:9050" });
        expect(mirror.endpointSpec.ports[0].publishedPort).toBe(5000);

        // Onion keys and client lists are secrets named after their content; the addresses are outputs.
        const secrets = mine.filter((r) => r.type === "docker:index/secret:Secret").map((r) => plain(r.inputs.name));
        expect(secrets.sort()).toEqual([
            expect.stringMatching(/^bcm-onion-registry-clients-[0-9a-f]{12}$/),
            expect.stringMatching(/^bcm-onion-registry-key-[0-9a-f]{12}$/),
            expect.stringMatching(/^bcm-registry-htpasswd-[0-9a-f]{12}$/),
        ]);
        const onions = await value(gw.onions);
        expect(onions.registry.address).toMatch(/^[a-z2-7]{56}\.onion$/);
        expect(Object.keys(onions.registry.clientAuthLines)).toEqual(["controller"]);
        expect(await value(gw.socks)).toBe("10.0.0.9:9050");
    });

    it("runs no mirror while Tor is offline, and only checks Tor's process then", async () => {
        const { gw, service } = await build("g2", { tor: { network: "offline" } });
        expect(gw.services.length).toBe(3);
        expect(gw.mirrorAddress).toBeUndefined();
        expect(service("registry-mirror")).toBeUndefined();
        expect(service("tor")!.taskSpec.containerSpec.healthcheck.tests).toEqual(["CMD-SHELL", "kill -0 1"]);
    });

    it("refuses an onion service open to anyone that does not say it is public", () => {
        expect(() => new GatewayTier("g3", { cluster: "c", members: members(1), dockerSocketDir: "/tmp/bcm-gw-test", images, tor: { network: "offline" }, onionServices: [{ name: "x", virtualPort: 1, target: "x:1", clients: [] }] })).toThrow(
            /onionServices\[0\]\.clients: list at least one client, or set public: true/,
        );
    });
});
