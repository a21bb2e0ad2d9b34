import { execFileSync } from "node:child_process";
import { LxdClient } from "../client/client";
import { TestStack } from "../../testing/lxd/testStack";

interface Live {
    description: string;
    config: Record<string, string>;
    devices?: Record<string, Record<string, string>>;
}

// Bridges, storage pools (dir and btrfs) and profiles: create, no change on a second up although LXD filled
// in addresses and paths, updates in place, drift, destroy.
describe("lxd:index:Network, StoragePool and Profile through the engine", () => {
    const client = new LxdClient();
    let t: TestStack;

    beforeAll(async () => {
        t = await TestStack.open("o");
    });
    afterAll(async () => {
        await t?.dispose();
    });

    const names = () => ({ bridge: `${t.prefix}br`, pool: `${t.prefix}-dir`, btrfs: `${t.prefix}-btr`, profile: `${t.prefix}-prof` });
    // LXD finds a free IPv4 subnet by pinging candidates, and this host has no ping: the
    // IPv4 subnet is given, the IPv6 one (and its NAT) is left to LXD.
    const subnet = `10.250.${process.pid % 250}.1/24`;
    const declared = (description: string, domain: string) => ({
        networks: { br: { name: names().bridge, description, config: { "ipv4.address": subnet, "dns.domain": domain } } },
        pools: {
            dir: { name: names().pool, driver: "dir", description },
            // A loop file: LXD makes it under /var/lib/lxd/disks and records it as `source`.
            btr: { name: names().btrfs, driver: "btrfs", description, config: { size: "1GiB" } },
        },
        profiles: {
            prof: {
                name: names().profile,
                description,
                config: { "limits.memory": "512MiB" },
                devices: { eth1: { type: "nic", nictype: "bridged", parent: "lxdbr0", name: "eth1" } },
            },
        },
    });
    const live = (collection: string, name: string) => client.get<Live>(`/1.0/${collection}/${name}`);

    it("creates a bridge, a dir pool, a btrfs pool and a profile, LXD choosing the IPv6 subnet and the pools' sources", async () => {
        const up = await t.up(declared("first", "bt.test"));
        expect(up.summary.resourceChanges).toEqual({ create: 5 });
        const bridge = await live("networks", names().bridge);
        expect(bridge.config["dns.domain"]).toBe("bt.test");
        expect(bridge.config["ipv4.address"]).toBe(subnet);
        expect(bridge.config["ipv6.address"]).toMatch(/^[0-9a-f:]+\/64$/);
        expect(bridge.config["ipv6.nat"]).toBe("true");
        const pool = await live("storage-pools", names().pool);
        expect(pool.config.source).toBe(`/var/lib/lxd/storage-pools/${names().pool}`);
        const btrfs = await live("storage-pools", names().btrfs);
        expect(btrfs.config).toEqual({ size: "1GiB", source: `/var/lib/lxd/disks/${names().btrfs}.img` });
        const profile = await live("profiles", names().profile);
        expect(profile.devices?.eth1).toEqual({ type: "nic", nictype: "bridged", parent: "lxdbr0", name: "eth1" });
        expect(up.outputs.networkOutputs.value.br.config["ipv6.address"]).toBe(bridge.config["ipv6.address"]);
    });

    it("has nothing to do on a second up: the keys LXD filled in are not changes", async () => {
        const up = await t.up(declared("first", "bt.test"));
        expect(up.summary.resourceChanges).toEqual({ same: 5 });
    });

    it("updates descriptions and config in place, keeping the subnet LXD picked", async () => {
        const picked = (await live("networks", names().bridge)).config["ipv6.address"];
        const up = await t.up(declared("second", "bt2.test"));
        expect(up.summary.resourceChanges).toEqual({ same: 1, update: 4 });
        const bridge = await live("networks", names().bridge);
        expect(bridge).toMatchObject({ description: "second", config: expect.objectContaining({ "dns.domain": "bt2.test", "ipv6.address": picked }) });
        expect((await live("storage-pools", names().pool)).description).toBe("second");
        expect((await live("storage-pools", names().btrfs)).description).toBe("second");
        expect((await live("profiles", names().profile)).description).toBe("second");
    });

    it("sees drift on refresh and puts it back on up", async () => {
        execFileSync("lxc", ["network", "set", names().bridge, "dns.domain", "by-hand.test"]);
        execFileSync("lxc", ["profile", "set", names().profile, "user.added-by-hand", "1"]);
        const refresh = await t.stack.refresh();
        expect(refresh.summary.resourceChanges).toEqual({ same: 3, update: 2 });
        const up = await t.up(declared("second", "bt2.test"));
        expect(up.summary.resourceChanges).toEqual({ same: 3, update: 2 });
        expect((await live("networks", names().bridge)).config["dns.domain"]).toBe("bt2.test");
        expect((await live("profiles", names().profile)).config).toEqual({ "limits.memory": "512MiB" });
    });

    it("destroys them all", async () => {
        const destroyed = await t.stack.destroy();
        expect(destroyed.summary.resourceChanges).toEqual({ delete: 5 });
        const n = names();
        for (const path of [`/1.0/networks/${n.bridge}`, `/1.0/storage-pools/${n.pool}`, `/1.0/storage-pools/${n.btrfs}`, `/1.0/profiles/${n.profile}`]) {
            expect(await client.exists(path)).toBe(false);
        }
    });
});
