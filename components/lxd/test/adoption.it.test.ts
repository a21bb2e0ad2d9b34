import { deleteInstance, getInstance, getInstanceState } from "../client/instances";
import { providerHarness } from "../../testing/lxd/providerHarness";

// What a run killed in the middle of a create leaves, met by the next run's create, on the
// real daemon: an instance whose POST LXD is still carrying out without its client, a volume
// and a profile made but never recorded. This cluster's are taken over; another's refused.
describe("a create meets what a killed run left (real LXD)", () => {
    const prefix = `bt${process.pid % 100000}ad`;
    const lxd = providerHarness(prefix);
    const { client, provider, urn } = lxd;
    const checked = (type: string, news: Record<string, unknown>) => lxd.checked(type, news);
    let fingerprint = "";
    const cluster = `${prefix}-c`;


    beforeAll(async () => {
        await lxd.setUp();
        fingerprint = lxd.fingerprint();
    }, 600_000);

    afterAll(async () => {
        await deleteInstance(client, `${prefix}-web`).catch(() => undefined);
        await client.run("DELETE", `/1.0/storage-pools/default/volumes/custom/${prefix}-vol`).catch(() => undefined);
        await client.run("DELETE", `/1.0/profiles/${prefix}-prof`).catch(() => undefined);
        await lxd.tearDown();
    }, 300_000);

    it("takes over this cluster's instance while LXD still creates it: waits, converges it and starts it, once", async () => {
        const name = `${prefix}-web`;
        // The killed run's POST: sent, never waited for.
        const env = await client.call("POST", "/1.0/instances", {
            body: { name, type: "container", profiles: ["default"], config: { "user.bcm.cluster": cluster }, devices: {}, source: { type: "image", fingerprint } },
        });
        expect(env.type).toBe("async");
        const inputs = await checked("Instance", {
            name,
            image: fingerprint,
            config: { "user.bcm.cluster": cluster, "user.role": "web" },
            waitForAddress: { interface: "eth0", family: "inet", timeoutSeconds: 120 },
        });
        const { id, outs } = await provider.create(urn("Instance", "web"), inputs);
        expect(id).toBe(name);
        expect(outs).toMatchObject({ status: "Running", running: true, imageFingerprint: fingerprint });
        expect(outs.ipv4Address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        const live = (await getInstance(client, name))!.instance;
        expect(live.config["user.role"]).toBe("web"); // converged to the inputs
        expect((await getInstanceState(client, name)).status).toBe("Running");
    }, 600_000);

    it("refuses the same instance to another cluster, naming its owner, and leaves it running", async () => {
        const name = `${prefix}-web`;
        const inputs = await checked("Instance", { name, image: fingerprint, config: { "user.bcm.cluster": "someone-else" } });
        await expect(provider.create(urn("Instance", "web"), inputs)).rejects.toThrow(
            new RegExp(`^instance ${name} on \\S+ already exists and belongs to cluster ${cluster} \\(user\\.bcm\\.cluster\\), not to cluster someone-else; destroy that cluster first`),
        );
        expect((await getInstanceState(client, name)).status).toBe("Running");
    }, 120_000);

    it("takes over this cluster's volume and profile, made but never recorded, updating them to the inputs", async () => {
        await client.run("POST", "/1.0/storage-pools/default/volumes/custom", { body: { name: `${prefix}-vol`, content_type: "filesystem", config: { "user.bcm.cluster": cluster } } });
        const vol = await provider.create(urn("StorageVolume", "vol"), await checked("StorageVolume", { pool: "default", name: `${prefix}-vol`, description: "adopted", config: { "user.bcm.cluster": cluster } }));
        expect(vol).toMatchObject({ id: `default/${prefix}-vol`, outs: { description: "adopted" } });

        await client.run("POST", "/1.0/profiles", { body: { name: `${prefix}-prof`, description: "", config: { "user.bcm.cluster": cluster } } });
        const prof = await provider.create(urn("Profile", "prof"), await checked("Profile", { name: `${prefix}-prof`, description: "adopted", config: { "user.bcm.cluster": cluster, "limits.cpu": "1" } }));
        expect(prof.outs).toMatchObject({ description: "adopted", config: { "limits.cpu": "1" } });
    }, 120_000);
});
