import { execFileSync } from "node:child_process";
import { LxdClient } from "../client/client";
import { splitImageFingerprint } from "../client/images";
import { InstanceInfo, getInstance, getInstanceState, globalAddress } from "../client/instances";
import { TestImage, testImage } from "../../testing/lxd/testImage";
import { TestStack } from "../../testing/lxd/testStack";

// An instance's whole life through the real engine and the real daemon: create with an
// image and a profile, nothing to do on a second run, in-place updates, replacements,
// drift seen by refresh, and destroy.
describe("lxd:index:Instance through the engine", () => {
    const client = new LxdClient();
    let t: TestStack;
    let image: TestImage;
    let fingerprints: { a: string; b: string };
    let firstUuid: string;
    /** Images someone else imported already are adopted, not owned: destroy leaves them. */
    let preexisting: { a: boolean; b: boolean };

    beforeAll(async () => {
        image = testImage();
        process.stderr.write(`test image: ${image.source}\n`);
        fingerprints = {
            a: await splitImageFingerprint(image),
            b: await splitImageFingerprint({ metadataPath: image.otherMetadataPath, rootfsPath: image.rootfsPath }),
        };
        t = await TestStack.open("i");
        preexisting = {
            a: await client.exists(`/1.0/images/${fingerprints.a}`),
            b: await client.exists(`/1.0/images/${fingerprints.b}`),
        };
    });

    afterAll(async () => {
        if (t) {
            await t.dispose([fingerprints.a, fingerprints.b]);
        }
    });

    const name = (n: string) => `${t.prefix}-${n}`;
    const port = 20000 + (process.pid % 10000);
    const images = (withB = false) => ({
        a: { metadataPath: image.metadataPath, rootfsPath: image.rootfsPath, aliases: [name("a")] },
        ...(withB ? { b: { metadataPath: image.otherMetadataPath, rootfsPath: image.rootfsPath } } : {}),
    });
    const profiles = () => ({ extra: { name: name("extra"), config: { "user.from-profile": "yes" } } });
    const web = (over: Record<string, unknown> = {}, listen = port) => ({
        web: {
            name: name("web"),
            imageKey: "a",
            config: { "user.role": "web" },
            devices: { http: { type: "proxy", listen: `tcp:127.0.0.1:${listen}`, connect: "tcp:127.0.0.1:80" } },
            waitForAddress: { interface: "eth0", family: "inet", timeoutSeconds: 120 },
            ...over,
        },
    });
    const live = async (n: string): Promise<InstanceInfo> => {
        const found = await getInstance(client, n);
        if (!found) throw new Error(`instance ${n} is not on the daemon`);
        return found.instance;
    };

    it("creates an image, a profile and a running instance with an address on eth0", async () => {
        const up = await t.up({ images: images(), profiles: profiles(), instances: web() });
        expect(up.summary.resourceChanges).toEqual({ create: 4 }); // stack, image, profile, instance

        const out = up.outputs.instanceOutputs.value.web;
        const state = await getInstanceState(client, name("web"));
        expect(out.status).toBe("Running");
        expect(out.ipv4Address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(out.ipv4Address).toBe(globalAddress(state, "eth0", "inet"));
        expect(out.imageFingerprint).toBe(fingerprints.a);

        const instance = await live(name("web"));
        expect(instance.status).toBe("Running");
        expect(instance.config["user.role"]).toBe("web");
        expect(instance.config["volatile.base_image"]).toBe(fingerprints.a);
        expect(instance.devices.http).toEqual({ type: "proxy", listen: `tcp:127.0.0.1:${port}`, connect: "tcp:127.0.0.1:80" });
        expect(instance.profiles).toEqual(["default"]);
        firstUuid = instance.config["volatile.uuid"];
    });

    it("has nothing to do on a second up, although LXD added volatile and image keys", async () => {
        const up = await t.up({ images: images(), profiles: profiles(), instances: web() });
        expect(up.summary.resourceChanges).toEqual({ same: 4 });
    });

    it("changes config and profiles in place, without recreating the instance", async () => {
        const up = await t.up({ images: images(), profiles: profiles(), instances: web({ config: { "user.role": "api" }, profileKeys: ["extra"] }) });
        expect(up.summary.resourceChanges).toEqual({ same: 3, update: 1 });
        const instance = await live(name("web"));
        expect(instance.config["user.role"]).toBe("api");
        expect(instance.profiles).toEqual(["default", name("extra")]);
        expect(instance.config["volatile.uuid"]).toBe(firstUuid);
        expect(instance.status).toBe("Running");
    });

    it("stops and starts the instance in place with `running`", async () => {
        const current = { config: { "user.role": "api" }, profileKeys: ["extra"] };
        const stopped = await t.up({ images: images(), profiles: profiles(), instances: web({ ...current, running: false, waitForAddress: undefined }) });
        expect(stopped.summary.resourceChanges).toEqual({ same: 3, update: 1 });
        expect((await live(name("web"))).status).toBe("Stopped");
        const started = await t.up({ images: images(), profiles: profiles(), instances: web(current) });
        expect(started.summary.resourceChanges).toEqual({ same: 3, update: 1 });
        expect((await live(name("web"))).status).toBe("Running");
        expect(started.outputs.instanceOutputs.value.web.ipv4Address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    });

    it("replaces the instance when its image changes, deleting the old one first because the name stays", async () => {
        const up = await t.up({ images: images(true), profiles: profiles(), instances: web({ imageKey: "b", config: { "user.role": "api" } }) });
        expect(up.summary.resourceChanges).toEqual({ same: 3, create: 1, replace: 1 });
        const instance = await live(name("web"));
        expect(instance.config["volatile.base_image"]).toBe(fingerprints.b);
        expect(instance.config["volatile.uuid"]).not.toBe(firstUuid);
        expect(instance.config["user.role"]).toBe("api");
        expect(instance.status).toBe("Running");
    });

    // The new instance starts while the old one still runs, so it listens on another port.
    const renamed = () => web({ name: name("web2"), imageKey: "b" }, port + 1);

    it("replaces the instance when its name changes: the new one first, then the old one goes", async () => {
        const up = await t.up({ images: images(true), profiles: profiles(), instances: renamed() });
        expect(up.summary.resourceChanges).toEqual({ same: 4, replace: 1 });
        expect(await getInstance(client, name("web"))).toBeUndefined();
        expect((await live(name("web2"))).status).toBe("Running");
    });

    it("sees drift in a key the program sets on refresh, and the next up puts it back", async () => {
        const declared = { images: images(true), profiles: profiles(), instances: renamed() };
        execFileSync("lxc", ["config", "set", name("web2"), "user.role", "changed-by-hand"]);
        const refresh = await t.stack.refresh();
        expect(refresh.summary.resourceChanges).toEqual({ same: 4, update: 1 });
        const up = await t.up(declared);
        expect(up.summary.resourceChanges).toEqual({ same: 4, update: 1 });
        expect((await live(name("web2"))).config["user.role"]).toBe("web");
    });

    it("sees an instance deleted behind its back on refresh, and the next up creates it again", async () => {
        const declared = { images: images(true), profiles: profiles(), instances: renamed() };
        execFileSync("lxc", ["delete", "--force", name("web2")]);
        const refresh = await t.stack.refresh();
        expect(refresh.summary.resourceChanges).toEqual({ same: 4, delete: 1 });
        const state = await t.stack.exportStack();
        expect(state.deployment.resources.map((r: { type: string }) => r.type)).not.toContain("lxd:index:Instance");
        const up = await t.up(declared);
        expect(up.summary.resourceChanges).toEqual({ same: 4, create: 1 });
        expect((await live(name("web2"))).status).toBe("Running");
    });

    it("destroys everything it made, the images it uploaded included", async () => {
        const destroyed = await t.stack.destroy();
        expect(destroyed.summary.resourceChanges).toEqual({ delete: 5 });
        expect(await getInstance(client, name("web2"))).toBeUndefined();
        expect(await client.exists(`/1.0/profiles/${name("extra")}`)).toBe(false);
        expect(await client.exists(`/1.0/images/${fingerprints.a}`)).toBe(preexisting.a);
        expect(await client.exists(`/1.0/images/${fingerprints.b}`)).toBe(preexisting.b);
        expect(await client.exists(`/1.0/images/aliases/${name("a")}`)).toBe(false);
    });
});
