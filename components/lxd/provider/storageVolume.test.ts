import { FakeLxd, FakeRoute, SeenRequest, envelope } from "../../testing/fakeLxd";
import { diffStorageVolume } from "./diff";
import { LxdProvider } from "./provider";
import { splitVolumeId, storageVolumeHandler } from "./storageVolume";

const urn = "urn:pulumi:dev::bcm::lxd:index:StorageVolume::docker";
const collection = "/1.0/storage-pools/default/volumes/custom";

interface Volume {
    name: string;
    description: string;
    config: Record<string, string>;
    content_type: string;
    used_by: string[];
}

/**
 * The volumes of one pool ("default") as LXD 5.0.2 answers for them: sync POST and PUT,
 * ETags on GET, 409 on a taken name, 400 "still in use" for a volume with users.
 */
function volumesRoute(volumes: Map<string, Volume>): FakeRoute {
    const etag = (v: Volume) => `"${Buffer.from(JSON.stringify(v)).toString("hex").slice(0, 16)}"`;
    return (r: SeenRequest) => {
        if (r.path === "/1.0") return envelope.sync({ auth: "trusted", api_extensions: [] });
        if (r.path === "/1.0/storage-pools/default") return envelope.sync({ name: "default", driver: "dir" });
        if (r.path === collection && r.method === "POST") {
            const body = JSON.parse(r.body.toString());
            if (volumes.has(body.name)) return envelope.error(409, "Volume by that name already exists");
            volumes.set(body.name, { name: body.name, description: body.description ?? "", config: body.config ?? {}, content_type: body.content_type, used_by: [] });
            return envelope.sync({});
        }
        if (!r.path.startsWith(`${collection}/`)) return undefined;
        const name = decodeURIComponent(r.path.slice(collection.length + 1));
        const v = volumes.get(name);
        if (!v) return envelope.error(404, "Storage pool volume not found");
        if (r.method === "GET") {
            return { ...envelope.sync({ ...v, type: "custom", location: "none", project: "default" }), headers: { ETag: etag(v) } };
        }
        if (r.method === "PUT") {
            if (r.headers["if-match"] && r.headers["if-match"] !== etag(v)) return envelope.error(412, "ETag doesn't match");
            const body = JSON.parse(r.body.toString());
            volumes.set(name, { ...v, description: body.description, config: body.config });
            return envelope.sync({});
        }
        if (r.method === "DELETE") {
            if (v.used_by.length > 0) return envelope.error(400, "The storage volume is still in use");
            volumes.delete(name);
            return envelope.sync({});
        }
        return undefined;
    };
}

describe("lxd:index:StorageVolume against a fake daemon", () => {
    const provider = new LxdProvider();
    const volumes = new Map<string, Volume>();
    let fake: FakeLxd;
    const inputs = (over: Record<string, unknown> = {}) => ({
        pool: "default",
        name: "docker",
        contentType: "filesystem",
        description: "dockerd data",
        config: { size: "5GiB" },
        endpoint: { url: fake.url },
        ...over,
    });

    beforeAll(async () => {
        fake = await FakeLxd.start(volumesRoute(volumes));
    });
    afterAll(() => fake.stop());
    beforeEach(() => {
        volumes.clear();
        fake.requests.length = 0;
    });

    it("creates a custom volume in the pool's collection; the id is <pool>/<name>", async () => {
        const { id, outs } = await provider.create(urn, inputs());
        expect(id).toBe("default/docker");
        expect(outs).toEqual({
            name: "docker",
            pool: "default",
            contentType: "filesystem",
            description: "dockerd data",
            config: { size: "5GiB" },
            usedBy: [],
            endpoint: { url: fake.url },
        });
        const post = fake.requests.find((r) => r.method === "POST")!;
        expect(post.path).toBe(collection);
        expect(JSON.parse(post.body.toString())).toEqual({ name: "docker", content_type: "filesystem", description: "dockerd data", config: { size: "5GiB" } });
    });

    it("names a missing pool before asking LXD to create anything", async () => {
        await expect(provider.create(urn, inputs({ pool: "nopool" }))).rejects.toThrow(
            /^pool: there is no storage pool "nopool" on unix:.*; create it \(an lxd:index:StoragePool\) or fix the name$/,
        );
        expect(fake.requests.filter((r) => r.method !== "GET")).toEqual([]);
    });

    it("refuses to take over a volume of the same name", async () => {
        volumes.set("docker", { name: "docker", description: "theirs", config: {}, content_type: "filesystem", used_by: [] });
        await expect(provider.create(urn, inputs())).rejects.toThrow(
            /^name: a storage volume named docker in pool default already exists on unix:.*; import it or choose another name$/,
        );
        expect(volumes.get("docker")?.description).toBe("theirs");
    });

    it("takes over a volume an earlier destroy kept for the same cluster (user.bcm.retain), updating it to the inputs", async () => {
        const kept = { "user.bcm.cluster": "c1", "user.bcm.retain": "true" };
        volumes.set("docker", { name: "docker", description: "old", config: { ...kept, size: "5GiB" }, content_type: "filesystem", used_by: [] });
        const { id, outs } = await provider.create(urn, inputs({ config: { ...kept, size: "6GiB" } }));
        expect(id).toBe("default/docker");
        expect(outs).toMatchObject({ description: "dockerd data", config: { ...kept, size: "6GiB" } });
        expect(fake.requests.filter((r) => r.method === "POST")).toEqual([]);
        // Taken back as no longer kept: the mark goes with the new config.
        await provider.create(urn, inputs({ config: { "user.bcm.cluster": "c1" } }));
        expect(volumes.get("docker")?.config).toMatchObject({ "user.bcm.cluster": "c1" });
        expect(volumes.get("docker")?.config).not.toHaveProperty(["user.bcm.retain"]);
    });

    it("takes over a volume of this cluster a killed run created and never recorded, updating it to the inputs", async () => {
        volumes.set("docker", { name: "docker", description: "", config: { "user.bcm.cluster": "c1" }, content_type: "filesystem", used_by: [] });
        const before = fake.requests.length;
        const { id, outs } = await provider.create(urn, inputs({ config: { "user.bcm.cluster": "c1", size: "6GiB" } }));
        expect(id).toBe("default/docker");
        expect(outs).toMatchObject({ description: "dockerd data", config: { "user.bcm.cluster": "c1", size: "6GiB" } });
        expect(fake.requests.slice(before).filter((r) => r.method === "POST")).toEqual([]);
    });

    it("never takes over another cluster's volume, one without a cluster, or one of another content type", async () => {
        volumes.set("docker", { name: "docker", description: "theirs", config: { "user.bcm.cluster": "c2", "user.bcm.retain": "true" }, content_type: "filesystem", used_by: [] });
        await expect(provider.create(urn, inputs({ config: { "user.bcm.cluster": "c1", "user.bcm.retain": "true" } }))).rejects.toThrow(
            /^storage volume docker in pool default on unix:\S+ already exists and belongs to cluster c2 \(user\.bcm\.cluster\), not to cluster c1; destroy that cluster first \(bcm cluster destroy c2\) or place this one on another endpoint$/,
        );
        volumes.set("docker", { name: "docker", description: "theirs", config: {}, content_type: "filesystem", used_by: [] });
        await expect(provider.create(urn, inputs({ config: { "user.bcm.cluster": "c1" } }))).rejects.toThrow(/^name: a storage volume named docker in pool default already exists/);
        volumes.set("docker", { name: "docker", description: "theirs", config: { "user.bcm.cluster": "c1" }, content_type: "block", used_by: [] });
        await expect(provider.create(urn, inputs({ config: { "user.bcm.cluster": "c1" } }))).rejects.toThrow(/already exists/);
        expect(volumes.get("docker")?.description).toBe("theirs");
    });

    it("updates size and description in place with If-Match, keeping the idmap LXD recorded on attach", async () => {
        const idmap = '[{"Isuid":true,"Hostid":100000,"Nsid":0,"Maprange":65536}]';
        volumes.set("docker", { name: "docker", description: "old", config: { size: "5GiB", "volatile.idmap.last": idmap }, content_type: "filesystem", used_by: ["/1.0/instances/c1"] });
        const { outs } = await provider.update("default/docker", urn, {}, inputs({ config: { size: "8GiB" }, description: "new" }));
        expect(volumes.get("docker")).toMatchObject({ description: "new", config: { size: "8GiB", "volatile.idmap.last": idmap } });
        expect(outs).toMatchObject({ usedBy: ["/1.0/instances/c1"], config: { size: "8GiB", "volatile.idmap.last": idmap } });
        const put = fake.requests.find((r) => r.method === "PUT")!;
        expect(put.path).toBe(`${collection}/docker`);
        expect(put.headers["if-match"]).toMatch(/^"[0-9a-f]{16}"$/);
    });

    it("refuses to delete a volume still attached, naming the volume, its users and the fix", async () => {
        volumes.set("docker", { name: "docker", description: "", config: {}, content_type: "filesystem", used_by: ["/1.0/instances/c1", "/1.0/profiles/p?project=default"] });
        await expect(provider.delete("default/docker", urn, { endpoint: { url: fake.url } })).rejects.toThrow(
            new RegExp(
                "^storage volume docker in pool default on unix:.*: The storage volume is still in use \\(400\\); " +
                    'it is used by instance c1, profile p; detach it first: remove the disk device with source "docker" ' +
                    "from instance c1, profile p \\(or delete them\\), then delete the volume again$",
            ),
        );
        expect(volumes.has("docker")).toBe(true);
    });

    it("deletes a detached volume, and counts one already gone as deleted", async () => {
        volumes.set("docker", { name: "docker", description: "", config: {}, content_type: "filesystem", used_by: [] });
        await provider.delete("default/docker", urn, { endpoint: { url: fake.url } });
        expect(volumes.has("docker")).toBe(false);
        await expect(provider.delete("default/docker", urn, { endpoint: { url: fake.url } })).resolves.toBeUndefined();
    });

    it("reads the live volume, and reports a vanished one as gone", async () => {
        volumes.set("docker", { name: "docker", description: "d", config: { "user.x": "1" }, content_type: "block", used_by: [] });
        const read = await provider.read("default/docker", urn, { endpoint: { url: fake.url } });
        expect(read.props).toMatchObject({ name: "docker", pool: "default", contentType: "block", config: { "user.x": "1" } });
        volumes.clear();
        expect(await provider.read("default/docker", urn, { endpoint: { url: fake.url } })).toEqual({ id: "", props: {} });
    });
});

describe("storage volume ids, checks and diffs", () => {
    it("splits <pool>/<name> ids, and says how to write one", () => {
        expect(splitVolumeId("default/docker")).toEqual({ pool: "default", name: "docker" });
        expect(() => splitVolumeId("docker")).toThrow('"docker" is not a storage volume id: write <pool>/<volume>, e.g. default/docker');
    });

    it("requires pool and name, and names bad values", async () => {
        const check = (news: Record<string, unknown>) => storageVolumeHandler.check(urn, {}, news);
        const missing = await check({});
        expect(missing.failures.map((f) => f.reason)).toEqual([
            'pool: is required (the pool\'s name, e.g. "default"; no slashes or spaces, at most 63 characters)',
            "name: is required (no slashes or spaces, at most 63 characters)",
        ]);
        const bad = await check({ pool: "default", name: "a/b", contentType: "iso", config: { size: 5 } });
        expect(bad.failures.map((f) => f.reason)).toEqual([
            'name: "a/b" is not valid: no slashes or spaces, at most 63 characters',
            'contentType: "iso" is not one of "filesystem", "block"',
            'config["size"]: must be a string (LXD stores every value as text): write "5"',
        ]);
        const ok = await check({ pool: "default", name: "docker" });
        expect(ok.inputs).toEqual({ pool: "default", name: "docker", contentType: "filesystem", description: "", config: {}, endpoint: { url: "unix:///var/lib/lxd/unix.socket" } });
    });

    const volume = (over: Record<string, unknown> = {}) => ({ pool: "default", name: "docker", contentType: "filesystem", description: "", config: {}, endpoint: {}, ...over });

    it("sees no change in keys LXD filled in: the idmap of the first attach, the pool's size and block defaults", () => {
        const live = volume({ config: { "volatile.idmap.last": "[]", "volatile.idmap.next": "[]", size: "10GiB", "block.filesystem": "ext4" }, usedBy: ["/1.0/instances/c1"] });
        expect(diffStorageVolume(live, volume())).toEqual({ replaces: [], updates: [], deleteBeforeReplace: false });
    });

    it("updates config and description in place, and shows drift in a key nobody declared", () => {
        expect(diffStorageVolume(volume({ config: { size: "5GiB" } }), volume({ config: { size: "8GiB" }, description: "x" }))).toEqual({
            replaces: [],
            updates: ["config", "description"],
            deleteBeforeReplace: false,
        });
        expect(diffStorageVolume(volume({ config: { "security.shifted": "true" } }), volume()).updates).toEqual(["config"]);
    });

    it("replaces on pool, name or content type, deleting first only when the new volume takes the old one's place", () => {
        expect(diffStorageVolume(volume(), volume({ name: "docker2" }))).toEqual({ replaces: ["name"], updates: [], deleteBeforeReplace: false });
        expect(diffStorageVolume(volume(), volume({ pool: "fast" }))).toEqual({ replaces: ["pool"], updates: [], deleteBeforeReplace: false });
        expect(diffStorageVolume(volume(), volume({ contentType: "block" }))).toEqual({ replaces: ["contentType"], updates: [], deleteBeforeReplace: true });
    });
});
