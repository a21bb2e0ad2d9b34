import { removeLeftovers } from "../../testing/lxd/lxdLeftovers";
import { testImage } from "../../testing/lxd/testImage";
import { LxdClient } from "./client";
import { LxdError } from "./errors";
import { exec } from "./exec";
import { pullFile, pushFile } from "./files";
import { deleteImage, importSplitImage } from "./images";
import { deleteInstance, getInstance, startInstance } from "./instances";

// The client alone against the local daemon: trust, exec without websockets, files,
// ETags and LXD's own errors.
describe("LxdClient against the local LXD daemon", () => {
    const client = new LxdClient();
    const prefix = `bt${process.pid % 100000}c`;
    const name = `${prefix}-box`;
    let fingerprint: string;
    let uploaded = false;

    beforeAll(async () => {
        await removeLeftovers(prefix);
        const image = testImage();
        ({ fingerprint, uploaded } = await importSplitImage(client, image));
        await client.run("POST", "/1.0/instances", { body: { name, source: { type: "image", fingerprint }, profiles: ["default"] } });
        await startInstance(client, name);
    });

    afterAll(async () => {
        await deleteInstance(client, name);
        if (uploaded) {
            await deleteImage(client, fingerprint);
        }
        await removeLeftovers(prefix);
    });

    it("is trusted over the unix socket and sees the extensions it relies on", async () => {
        const info = await client.connect();
        expect(info.auth).toBe("trusted");
        expect(info.api_extensions).toEqual(expect.arrayContaining(["etag", "instance_file_head", "file_delete"]));
    });

    it("runs a command and returns its exit code, stdout and stderr, deleting the recorded logs", async () => {
        const result = await exec(client, name, ["sh", "-c", 'echo "out $A"; echo err >&2; exit 3'], { environment: { A: "x" } });
        expect(result).toEqual({ exitCode: 3, stdout: "out x\n", stderr: "err\n" });
        const logs = await client.get<string[]>(`/1.0/instances/${name}/logs`);
        expect(logs.filter((l) => l.includes("exec"))).toEqual([]);
    });

    it("pushes a file with owner and mode into missing directories, and pulls it back", async () => {
        await pushFile(client, name, "/etc/bcm-test/deep/config.txt", "key=value\n", { uid: 1, gid: 2, mode: 0o640 });
        const file = await pullFile(client, name, "/etc/bcm-test/deep/config.txt");
        expect(file).toMatchObject({ uid: 1, gid: 2, mode: 0o640, type: "file" });
        expect(file.content.toString()).toBe("key=value\n");
        const stat = await exec(client, name, ["stat", "-c", "%a %u %g", "/etc/bcm-test/deep/config.txt", "/etc/bcm-test/deep"]);
        expect(stat.stdout).toBe("640 1 2\n755 0 0\n");
    });

    it("skips the upload of an image the daemon already has", async () => {
        await expect(importSplitImage(client, testImage())).resolves.toEqual({ fingerprint, uploaded: false });
    });

    it("refuses a PUT whose ETag is stale (412), and accepts the current one", async () => {
        const found = await getInstance(client, name);
        const put = { ...found!.instance, config: { ...found!.instance.config, "user.etag-test": "1" } };
        await expect(client.run("PUT", `/1.0/instances/${name}`, { body: put, etag: '"stale"' })).rejects.toMatchObject({ status: 412 });
        await client.run("PUT", `/1.0/instances/${name}`, { body: put, etag: found!.etag });
        expect((await getInstance(client, name))!.instance.config["user.etag-test"]).toBe("1");
    });

    it("reports LXD's own message for a failed operation and a missing object", async () => {
        const err = await client.run("DELETE", `/1.0/instances/${name}`).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LxdError);
        expect((err as LxdError).message).toMatch(new RegExp(`^instance ${name} on unix:///var/lib/lxd/unix.socket: .*running`, "i"));
        await expect(client.get(`/1.0/profiles/${prefix}-none`)).rejects.toThrow(
            `profile ${prefix}-none on unix:///var/lib/lxd/unix.socket: Fetch profile: Profile not found (404)`,
        );
    });
});
