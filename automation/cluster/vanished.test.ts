import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { Live, listScript, parseListing, readBackVanished, recordedObjects, StoredResource, vanishedResources } from "./vanished";

const local = { url: "unix:///var/lib/lxd/unix.socket" };
const socket = "/root/.bcm/sockets/standalone/bcm-gateway-01.sock";
const providerUrn = "urn:pulumi:standalone::bcm-cluster::pulumi:providers:docker::gateway-docker";
const urn = (type: string, name: string) => `urn:pulumi:standalone::bcm-cluster::${type}::${name}`;

/** A state as a deployed gateway leaves it: the container, its volume and profile, a join command, the socket, a docker provider and its objects. */
function resources(): StoredResource[] {
    const docker = (type: string, name: string, id: string): StoredResource => ({ urn: urn(type, name), type, id, provider: `${providerUrn}::p1`, inputs: {}, outputs: {} });
    return [
        { urn: urn("lxd:index:Instance", "gw"), type: "lxd:index:Instance", id: "bcm-gateway-01", inputs: { endpoint: local } },
        { urn: urn("lxd:index:StorageVolume", "gw-docker"), type: "lxd:index:StorageVolume", id: "default/bcm-gateway-01-docker", inputs: { endpoint: local } },
        { urn: urn("lxd:index:Profile", "docker"), type: "lxd:index:Profile", id: "bcm-docker", inputs: { endpoint: local } },
        { urn: urn("lxd:index:Exec", "gw-swarm"), type: "lxd:index:Exec", id: "e1", inputs: { endpoint: local, instance: "bcm-gateway-01" } },
        { urn: urn("lxd:index:Exec", "other"), type: "lxd:index:Exec", id: "e2", inputs: { endpoint: local, instance: "bcm-kafka-01" } },
        { urn: urn("lxd:index:InstanceSocket", "gw-socket"), type: "lxd:index:InstanceSocket", id: socket, inputs: { endpoint: local, instance: "bcm-gateway-01", path: socket } },
        { urn: providerUrn, type: "pulumi:providers:docker", id: "p1", inputs: { host: `unix://${socket}` } },
        docker("docker:index/service:Service", "tor", "k2x8vq4m1l0p9s7d6f5g4h3j2"),
        docker("docker:index/secret:Secret", "htpasswd", "s9a8d7f6g5h4j3k2l1z0x9c8v"),
        docker("docker:index/network:Network", "internal", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        docker("docker:index/volume:Volume", "registry-data", "registry-data"),
    ];
}

const allLive = (): Live => ({
    lxd: new Map([[local.url, { instances: new Set(["bcm-gateway-01", "bcm-kafka-01"]), profiles: new Set(["default", "bcm-docker"]), volumes: new Set(["default/bcm-gateway-01-docker"]) }]]),
    docker: new Map([["bcm-gateway-01", { service: ["k2x8vq4m1l0p"], secret: ["s9a8d7f6g5h4j3k2l1z0x9c8v"], config: [], network: ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"], volume: ["registry-data"] }]]),
});

describe("objects deleted behind BCM's back", () => {
    it("knows where each recorded object lives: LXD objects on their endpoint, Docker objects in the container behind their provider's socket", () => {
        expect(recordedObjects(resources()).map((o) => `${o.daemon} ${o.kind} ${o.id} @ ${o.where}`)).toEqual([
            `lxd instance bcm-gateway-01 @ ${local.url}`,
            `lxd volume default/bcm-gateway-01-docker @ ${local.url}`,
            `lxd profile bcm-docker @ ${local.url}`,
            "docker service k2x8vq4m1l0p9s7d6f5g4h3j2 @ bcm-gateway-01",
            "docker secret s9a8d7f6g5h4j3k2l1z0x9c8v @ bcm-gateway-01",
            "docker network 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef @ bcm-gateway-01",
            "docker volume registry-data @ bcm-gateway-01",
        ]);
    });

    it("finds nothing when everything is there (a service ID listed shortened counts)", () => {
        expect(vanishedResources(resources(), allLive())).toEqual({ urns: [], gone: [], unjudged: [] });
    });

    it("reads back a removed service and secret, nothing else", () => {
        const live = allLive();
        live.docker.set("bcm-gateway-01", { ...live.docker.get("bcm-gateway-01"), service: [], secret: ["another"] });
        expect(vanishedResources(resources(), live).urns).toEqual([urn("docker:index/service:Service", "tor"), urn("docker:index/secret:Secret", "htpasswd")]);
    });

    it("reads back a deleted container with the commands run in it, not those of other containers, and judges nothing its dockerd held", () => {
        const live = allLive();
        live.lxd.get(local.url)!.instances.delete("bcm-gateway-01");
        live.docker.delete("bcm-gateway-01");
        const v = vanishedResources(resources(), live);
        expect(v.urns).toEqual([urn("lxd:index:Instance", "gw"), urn("lxd:index:Exec", "gw-swarm")]);
        // Its dockerd's objects are looked at again once the update has made it again.
        expect(v.unjudged).toEqual(["bcm-gateway-01"]);
        // A gone container that held none is not one to look at again.
        const withoutDocker = resources().filter((r) => !r.type!.startsWith("docker:"));
        expect(vanishedResources(withoutDocker, live)).toMatchObject({ urns: [urn("lxd:index:Instance", "gw"), urn("lxd:index:Exec", "gw-swarm")], unjudged: [] });
    });

    it("judges nothing it could not list: an endpoint that did not answer, a kind whose listing failed", () => {
        expect(vanishedResources(resources(), { lxd: new Map(), docker: new Map() }).urns).toEqual([]);
        const live = allLive();
        live.docker.set("bcm-gateway-01", { service: ["k2x8vq4m1l0p"] });
        expect(vanishedResources(resources(), live).urns).toEqual([]);
    });

    it("lists every kind in one shell, marking the kinds whose listing worked (real sh, a stand-in docker)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-vanished-"));
        try {
            fs.writeFileSync(
                path.join(dir, "docker"),
                `#!/bin/sh
case "$1" in
  service) echo k2x8vq4m1l0p; echo a1b2c3d4e5f6 ;;
  secret) exit 1 ;;
  config) ;;
  network) [ "$3" = "--no-trunc" ] && echo 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ;;
  volume) echo registry-data ;;
esac
`,
                { mode: 0o755 },
            );
            const r = await execa("sh", ["-c", listScript], { env: { PATH: `${dir}:/usr/bin:/bin` }, extendEnv: false });
            expect(parseListing(r.stdout)).toEqual({
                service: ["k2x8vq4m1l0p", "a1b2c3d4e5f6"],
                config: [],
                network: ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"],
                volume: ["registry-data"],
            });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("says each gone object and refreshes just those; does nothing on a new stack", async () => {
        const lines: string[] = [];
        const refreshed: string[][] = [];
        expect(await readBackVanished([], async (u) => void refreshed.push(u), (l) => lines.push(l))).toEqual({ readBack: 0, unjudged: [] });
        expect(refreshed).toEqual([]);
    });
});
