import fc from "fast-check";
import { FakeLxd, envelope } from "../../testing/fakeLxd";
import { ProfileDevices, diffStaticAddress, hostRange, nicNetwork, pickFreeAddress, staticAddressHandler } from "./staticAddress";

const nic = (network: string) => ({ type: "nic", name: "eth0", network });

describe("the network a static address is held on", () => {
    it("is the network of the NIC in the last profile that defines it, as LXD applies them", () => {
        const profiles: ProfileDevices[] = [
            { name: "default", devices: { eth0: nic("lxdbr0"), root: { type: "disk", path: "/", pool: "default" } } },
            { name: "bcm-docker", devices: {} },
            { name: "other", devices: { eth0: nic("br1") } },
        ];
        expect(nicNetwork(profiles.slice(0, 2), "eth0")).toBe("lxdbr0");
        expect(nicNetwork(profiles, "eth0")).toBe("br1");
    });

    it("is refused, naming the fix, when no profile has the NIC or it is not on a managed network", () => {
        expect(() => nicNetwork([{ name: "default", devices: {} }], "eth0")).toThrow(/^nic: none of the profiles default has a device "eth0"/);
        expect(() => nicNetwork([{ name: "p", devices: { eth0: { type: "nic", nictype: "bridged", parent: "br0" } } }], "eth0")).toThrow(
            /^nic: device "eth0" of profile p is not a NIC on an LXD-managed network .*attach it with network=<bridge>$/,
        );
    });
});

describe("the address picked", () => {
    it("is the highest host address no lease holds, never the bridge's, the network's or the broadcast", () => {
        expect(pickFreeAddress("10.218.0.1/24", [])).toBe("10.218.0.254");
        expect(pickFreeAddress("10.218.0.1/24", ["10.218.0.254", "10.218.0.253"])).toBe("10.218.0.252");
        expect(pickFreeAddress("10.9.0.254/24", [])).toBe("10.9.0.253");
        expect(pickFreeAddress("10.1.2.1/30", [])).toBe("10.1.2.2");
        expect(() => pickFreeAddress("10.1.2.1/30", ["10.1.2.2"])).toThrow(/^network: no free address left in 10\.1\.2\.1\/30/);
        expect(() => pickFreeAddress("10.1.2.1", [])).toThrow(/has no prefix/);
    });

    it("lies inside the subnet and is neither used nor the bridge's, for any subnet and any set of used addresses", () => {
        fc.assert(
            fc.property(
                fc.ipV4(),
                fc.integer({ min: 22, max: 30 }),
                fc.array(fc.nat({ max: 1023 }), { maxLength: 40 }),
                (bridge, prefix, offsets) => {
                    const range = hostRange(`${bridge}/${prefix}`);
                    const size = range.last - range.first + 1;
                    const used = offsets.map((o) => {
                        const n = range.first + (o % size);
                        return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
                    });
                    const free = size - new Set([...used, bridge].filter((a) => range.contains(a))).size;
                    if (free === 0) {
                        expect(() => pickFreeAddress(`${bridge}/${prefix}`, used)).toThrow(/no free address/);
                        return;
                    }
                    const picked = pickFreeAddress(`${bridge}/${prefix}`, used);
                    expect(range.contains(picked)).toBe(true);
                    expect([...used, bridge]).not.toContain(picked);
                },
            ),
        );
    });
});

describe("a static address's changes", () => {
    const olds = { instance: "bcm-gateway-01", profiles: ["default"], nic: "eth0", endpoint: {}, network: "lxdbr0", address: "10.218.0.254" };
    it("keeps the address for new profiles, and holds another for another instance, NIC or daemon", () => {
        expect(diffStaticAddress(olds, { ...olds, profiles: ["default", "bcm-docker"] })).toEqual({ replaces: [], updates: ["profiles"], deleteBeforeReplace: false });
        expect(diffStaticAddress(olds, { ...olds, instance: "bcm-gateway-02" }).replaces).toEqual(["instance"]);
        expect(diffStaticAddress(olds, { ...olds, endpoint: { url: "https://h:8443" } }).replaces).toEqual(["endpoint"]);
    });
});

describe("a static address against a daemon", () => {
    const network = { managed: true, type: "bridge", config: { "ipv4.address": "10.218.0.1/24" } };
    const routes = (instance: unknown, state: unknown) => (r: { method: string; path: string }) => {
        if (r.path === "/1.0") return envelope.sync({ auth: "trusted", api_extensions: [] });
        if (r.path === "/1.0/profiles/default") return envelope.sync({ name: "default", devices: { eth0: nic("lxdbr0") } });
        if (r.path === "/1.0/networks/lxdbr0") return envelope.sync(network);
        if (r.path === "/1.0/networks/lxdbr0/leases") return envelope.sync([{ address: "10.218.0.254" }, { address: "10.218.0.17" }]);
        if (r.path === "/1.0/instances?recursion=1")
            return envelope.sync([{ name: "web", expanded_devices: { eth0: { ...nic("lxdbr0"), "ipv4.address": "10.218.0.253" } } }]);
        if (r.path === "/1.0/instances/bcm-gateway-01") return instance ? envelope.sync(instance) : envelope.error(404, "Instance not found");
        if (r.path === "/1.0/instances/bcm-gateway-01/state") return envelope.sync(state);
        return envelope.error(404, "not found");
    };
    const inputs = (url: string) => ({ instance: "bcm-gateway-01", profiles: ["default"], nic: "eth0", endpoint: { url } });

    it("holds a free address for an instance not made yet: not leased, not another NIC's", async () => {
        const fake = await FakeLxd.start(routes(undefined, undefined));
        try {
            const { id, outs } = await staticAddressHandler.create(inputs(fake.url));
            expect({ id, network: outs.network, address: outs.address }).toEqual({ id: "lxdbr0/bcm-gateway-01", network: "lxdbr0", address: "10.218.0.252" });
        } finally {
            await fake.stop();
        }
    });

    it("holds the address an existing instance has, so taking it changes nothing for the instance", async () => {
        const live = { name: "bcm-gateway-01", devices: {}, config: {} };
        const state = { status: "Running", network: { eth0: { addresses: [{ family: "inet6", address: "fd42::5" }, { family: "inet", address: "10.218.0.86", netmask: "24", scope: "global" }] } } };
        const fake = await FakeLxd.start(routes(live, state));
        try {
            expect((await staticAddressHandler.create(inputs(fake.url))).outs.address).toBe("10.218.0.86");
        } finally {
            await fake.stop();
        }
    });

    it("is kept by refresh while its network has the subnet, and dropped when the network is gone or renumbered", async () => {
        const props = { ...inputs(""), network: "lxdbr0", address: "10.218.0.252" };
        const fake = await FakeLxd.start(routes(undefined, undefined));
        try {
            const url = fake.url;
            expect(await staticAddressHandler.read("lxdbr0/bcm-gateway-01", { ...props, endpoint: { url } })).toEqual({ id: "lxdbr0/bcm-gateway-01", props: { ...props, endpoint: { url } } });
            expect(await staticAddressHandler.read("x", { ...props, endpoint: { url }, network: "gone0" })).toEqual({});
            expect(await staticAddressHandler.read("x", { ...props, endpoint: { url }, address: "10.9.0.5" })).toEqual({});
        } finally {
            await fake.stop();
        }
    });
});
