import { deleteInstance, getInstanceState, globalAddress } from "../client/instances";
import { providerHarness } from "../../testing/lxd/providerHarness";

// An instance deleted by hand and made again comes back on the address a StaticAddress holds,
// and an existing instance keeps the one it has when the hold is first taken (real LXD and its
// DHCP server on the default profile's bridge).
describe("a static address on the real bridge", () => {
    const prefix = `bt${process.pid % 100000}sa`;
    const lxd = providerHarness(prefix);
    const { client, provider, urn } = lxd;
    const checked = (type: string, news: Record<string, unknown>) => lxd.checked(type, news);
    let fingerprint = "";
    const names = [`${prefix}-old`, `${prefix}-new`];

    const instanceInputs = (name: string, devices: Record<string, unknown> = {}) =>
        checked("Instance", { name, image: fingerprint, config: { "user.bcm.cluster": `${prefix}-c` }, devices, waitForAddress: { interface: "eth0", timeoutSeconds: 120 } });
    const address = async (name: string) => globalAddress(await getInstanceState(client, name), "eth0", "inet");
    const hold = async (instance: string) => (await provider.create(urn("StaticAddress", instance), await checked("StaticAddress", { instance, profiles: ["default"] }))).outs as { network: string; address: string };

    beforeAll(async () => {
        await lxd.setUp();
        fingerprint = lxd.fingerprint();
    }, 600_000);

    afterAll(async () => {
        for (const n of names) await deleteInstance(client, n).catch(() => undefined);
        await lxd.tearDown();
    }, 300_000);

    it("holds the address an existing instance has, and pinning it there changes nothing for the instance", async () => {
        const name = names[0];
        const created = await provider.create(urn("Instance", name), await instanceInputs(name));
        const before = await address(name);
        expect(before).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        const held = await hold(name);
        expect(held.address).toBe(before);
        const news = await instanceInputs(name, { eth0: { type: "nic", name: "eth0", network: held.network, "ipv4.address": held.address } });
        await provider.update(name, urn("Instance", name), created.outs!, news);
        expect(await address(name)).toBe(before);
    }, 300_000);

    it("holds a free address for an instance not made yet, which it gets, and gets again when deleted by hand and made again", async () => {
        const name = names[1];
        const held = await hold(name);
        const taken = (await client.get<Array<{ address: string }>>(`/1.0/networks/${held.network}/leases`)).map((l) => l.address);
        expect(taken).not.toContain(held.address);
        const inputs = await instanceInputs(name, { eth0: { type: "nic", name: "eth0", network: held.network, "ipv4.address": held.address } });
        await provider.create(urn("Instance", name), inputs);
        expect(await address(name)).toBe(held.address);
        await deleteInstance(client, name);
        await provider.create(urn("Instance", name), inputs);
        expect(await address(name)).toBe(held.address);
        // Refresh keeps the hold while the bridge has that subnet.
        const read = await provider.read(`${held.network}/${name}`, urn("StaticAddress", name), { instance: name, profiles: ["default"], nic: "eth0", endpoint: {}, ...held });
        expect(read.id).toBe(`${held.network}/${name}`);
    }, 300_000);
});
