import { execFileSync } from "node:child_process";
import { LxdClient } from "../client/client";
import { messageOf } from "../client/errors";
import { exec } from "../client/exec";
import { splitImageFingerprint } from "../client/images";
import { getInstance, startInstance, stopInstance } from "../client/instances";
import { TestImage, templateImage } from "../../testing/lxd/testImage";
import { TestStack } from "../../testing/lxd/testStack";

interface LiveVolume {
    name: string;
    description: string;
    content_type: string;
    config: Record<string, string>;
    used_by: string[];
}

// What BCM needs a custom volume for: dockerd's /var/lib/docker on a volume of the default
// pool, attached to an unprivileged container with security.nesting made from bcm-template,
// so Docker's images, networks and swarm state outlive the container's own root disk.
describe("lxd:index:StorageVolume through the engine: dockerd's data on a custom volume", () => {
    const client = new LxdClient();
    let t: TestStack;
    let image: Omit<TestImage, "otherMetadataPath">;
    let fingerprint: string;
    /** An image someone else imported is adopted, not owned: it is neither deleted nor swept. */
    let preexisting: boolean;

    beforeAll(async () => {
        image = templateImage();
        process.stderr.write(`test image: ${image.source}\n`);
        fingerprint = await splitImageFingerprint(image);
        t = await TestStack.open("v");
        preexisting = await client.exists(`/1.0/images/${fingerprint}`);
    });
    afterAll(async () => {
        if (t) {
            const left = await t.dispose(preexisting ? [] : [fingerprint]);
            if (left.length > 0) process.stderr.write(`swept up: ${left.join(", ")}\n`);
        }
    });

    const name = (n: string) => `${t.prefix}-${n}`;
    const declared = (volume: Record<string, unknown> = {}) => ({
        images: { tmpl: { metadataPath: image.metadataPath, rootfsPath: image.rootfsPath, aliases: [name("tmpl")] } },
        volumes: { docker: { pool: "default", name: name("docker"), description: "dockerd data", ...volume } },
        instances: {
            dk: {
                name: name("dk"),
                imageKey: "tmpl",
                config: { "security.privileged": "false", "security.nesting": "true" },
                volumeDevices: { docker: { volumeKey: "docker", path: "/var/lib/docker" } },
            },
        },
    });
    const liveVolume = () => client.get<LiveVolume>(`/1.0/storage-pools/default/volumes/custom/${name("docker")}`);

    /** Runs a command in the container; its stdout, or an error with its stderr. */
    const run = async (...command: string[]): Promise<string> => {
        const r = await exec(client, name("dk"), command, { timeoutSeconds: 120 });
        if (r.exitCode !== 0) {
            throw new Error(`${command.join(" ")} exited with ${r.exitCode}: ${r.stderr}${r.stdout}`);
        }
        return r.stdout.trim();
    };
    /** dockerd starts at boot (systemd); `docker info` answers once it is up. */
    const dockerInfo = async (): Promise<string> => {
        const deadline = Date.now() + 90_000;
        for (;;) {
            const r = await exec(client, name("dk"), ["docker", "info", "--format", "{{.DockerRootDir}} {{.Driver}}"]);
            if (r.exitCode === 0) return r.stdout.trim();
            if (Date.now() > deadline) {
                const journal = await exec(client, name("dk"), ["journalctl", "-u", "docker", "--no-pager", "-n", "30"]);
                throw new Error(`dockerd did not come up in 90 s: ${r.stderr}\n${journal.stdout}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 1000));
        }
    };

    it("creates the volume and an unprivileged container whose dockerd keeps its data there, on overlay2", async () => {
        const up = await t.up(declared());
        expect(up.summary.resourceChanges).toEqual({ create: 4 }); // stack, image, volume, instance
        expect(up.outputs.volumeOutputs.value.docker).toMatchObject({ name: name("docker"), pool: "default", contentType: "filesystem" });

        const volume = await liveVolume();
        expect(volume).toMatchObject({ description: "dockerd data", content_type: "filesystem", used_by: [`/1.0/instances/${name("dk")}`] });
        // LXD shifted the volume's files into the container's idmap on first attach and
        // recorded the map: the volume belongs to the unprivileged container's root.
        expect(JSON.parse(volume.config["volatile.idmap.last"])).toContainEqual(expect.objectContaining({ Isuid: true, Nsid: 0 }));
        const instance = (await getInstance(client, name("dk")))!.instance;
        expect(instance.config).toMatchObject({ "security.privileged": "false", "security.nesting": "true" });

        expect(await dockerInfo()).toBe("/var/lib/docker overlay2");
        expect(await run("findmnt", "-n", "-o", "SOURCE", "/var/lib/docker")).toContain(name("docker"));
        // A real overlay2 mount on the volume, with no registry: an image of one static binary.
        await run("sh", "-c", "mkdir -p /tmp/tiny && cp /usr/bin/tini-static /tmp/tiny/tini && tar -C /tmp/tiny -c . | docker import - bcm-tiny");
        expect(await run("docker", "run", "--rm", "--network", "none", "bcm-tiny", "/tini", "--version")).toMatch(/^tini version /);
    });

    it("keeps dockerd's state across a container restart, because it lives on the volume", async () => {
        const network = `${t.prefix}net`;
        await run("docker", "network", "create", network);
        await stopInstance(client, name("dk"));
        await startInstance(client, name("dk"));
        expect(await dockerInfo()).toBe("/var/lib/docker overlay2");
        expect((await run("docker", "network", "ls", "--format", "{{.Name}}")).split("\n")).toContain(network);
        expect((await run("docker", "image", "ls", "--format", "{{.Repository}}")).split("\n")).toContain("bcm-tiny");
    });

    it("has nothing to do on a second up, although LXD recorded the idmap in the volume's config", async () => {
        const up = await t.up(declared());
        expect(up.summary.resourceChanges).toEqual({ same: 4 });
    });

    it("changes size and description in place, attached and running", async () => {
        const changed = { description: "dockerd data, sized", config: { size: "20GiB" } };
        const up = await t.up(declared(changed));
        expect(up.summary.resourceChanges).toEqual({ same: 3, update: 1 });
        const volume = await liveVolume();
        expect(volume.description).toBe("dockerd data, sized");
        expect(volume.config.size).toBe("20GiB");
        expect(volume.config["volatile.idmap.last"]).toBeDefined(); // carried over on the PUT
        expect((await t.up(declared(changed))).summary.resourceChanges).toEqual({ same: 4 });
    });

    it("refuses to delete the volume while another instance uses it, naming the volume, the instance and the fix", async () => {
        const other = name("other");
        execFileSync("lxc", ["init", "--empty", other]);
        execFileSync("lxc", ["config", "device", "add", other, "data", "disk", "pool=default", `source=${name("docker")}`, "path=/data"]);
        let message = "";
        try {
            await t.stack.destroy();
        } catch (err) {
            message = messageOf(err);
        }
        expect(message).toContain(
            `storage volume ${name("docker")} in pool default on unix:///var/lib/lxd/unix.socket: The storage volume is still in use (400); ` +
                `it is used by instance ${other}; detach it first: remove the disk device with source "${name("docker")}" ` +
                `from instance ${other} (or delete it), then delete the volume again`,
        );
        expect((await liveVolume()).used_by).toEqual([`/1.0/instances/${other}`]);
        const state = await t.stack.exportStack();
        expect(state.deployment.resources.map((r: { type: string }) => r.type)).toContain("lxd:index:StorageVolume");

        execFileSync("lxc", ["delete", other]);
        // The instance went in the refused destroy (and the image may have, in parallel).
        const destroyed = await t.stack.destroy();
        expect(destroyed.summary.resourceChanges?.delete).toBeGreaterThanOrEqual(2);
        expect((await t.stack.exportStack()).deployment.resources ?? []).toEqual([]);
        expect(await client.exists(`/1.0/storage-pools/default/volumes/custom/${name("docker")}`)).toBe(false);
        expect(await client.exists(`/1.0/instances/${name("dk")}`)).toBe(false);
        expect(await client.exists(`/1.0/images/${fingerprint}`)).toBe(preexisting);
    });
});
