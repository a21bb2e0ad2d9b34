import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { LxdClient } from "../client/client";
import { getInstance } from "../client/instances";
import { ClientCertificate, makeClientCertificate, serverFingerprint } from "../../testing/lxd/testCertificate";
import { TestImage, testImage } from "../../testing/lxd/testImage";
import { TestStack } from "../../testing/lxd/testStack";

// Bad input and failures say what is wrong and how to fix it, and leave nothing behind.
describe("errors from the LXD provider, through the engine", () => {
    const client = new LxdClient();
    const certDir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-lxd-certs-"));
    let t: TestStack;
    let image: TestImage;
    let untrusted: ClientCertificate;

    beforeAll(async () => {
        image = testImage();
        t = await TestStack.open("e");
        untrusted = makeClientCertificate(certDir, `${t.prefix}-untrusted`);
    });
    afterAll(async () => {
        await t?.dispose();
        fs.rmSync(certDir, { recursive: true, force: true });
    });

    const name = (n: string) => `${t.prefix}-${n}`;
    const images = () => ({ a: { metadataPath: image.metadataPath, rootfsPath: image.rootfsPath, aliases: [name("a")] } });
    const instanceGone = async (n: string) => expect(await getInstance(client, n)).toBeUndefined();

    it("names a bad config value and the fix before anything is created", async () => {
        const message = await t.failingUp({ instances: { c: { name: name("c"), image: name("a"), config: { "limits.cpu": 2 } } } });
        expect(message).toContain('config["limits.cpu"]: must be a string (LXD stores every value as text): write "2"');
        await instanceGone(name("c"));
    });

    it("names an unknown image and how to get one", async () => {
        const message = await t.failingUp({ instances: { c: { name: name("c"), image: name("no-such-image") } } });
        expect(message).toContain(
            `image: there is no image with alias or fingerprint "${name("no-such-image")}" on unix:///var/lib/lxd/unix.socket; ` +
                "import it first (an lxd:index:Image, or `lxc image import`) or fix the name",
        );
        await instanceGone(name("c"));
    });

    it("names an unknown profile", async () => {
        const message = await t.failingUp({
            images: images(),
            instances: { c: { name: name("c"), imageKey: "a", profiles: ["default", name("no-such-profile")] } },
        });
        expect(message).toContain(
            `profiles: there is no profile "${name("no-such-profile")}" on unix:///var/lib/lxd/unix.socket; ` +
                "create it (an lxd:index:Profile) or remove it from profiles",
        );
        await instanceGone(name("c"));
    });

    it("refuses to take over an instance of the same name that no BCM cluster made, and leaves it alone", async () => {
        execFileSync("lxc", ["init", "--empty", name("taken")]);
        const message = await t.failingUp({ images: images(), instances: { c: { name: name("taken"), imageKey: "a" } } });
        expect(message).toContain(
            `name: an instance named ${name("taken")} already exists on unix:///var/lib/lxd/unix.socket and is no BCM cluster's (no user.bcm.cluster); ` +
                `import it (pulumi import lxd:index:Instance <resource name> ${name("taken")}) or choose another name`,
        );
        const untouched = await getInstance(client, name("taken"));
        expect(untouched?.instance.config["volatile.base_image"]).toBeUndefined(); // still the empty one
    });

    it("refuses to take over a profile of the same name", async () => {
        execFileSync("lxc", ["profile", "create", name("taken-profile")]);
        const message = await t.failingUp({ profiles: { p: { name: name("taken-profile"), config: { "user.x": "1" } } } });
        expect(message).toContain(
            `name: a profile named ${name("taken-profile")} already exists on unix:///var/lib/lxd/unix.socket; import it or choose another name`,
        );
        expect((await client.get<{ config: object }>(`/1.0/profiles/${name("taken-profile")}`)).config).toEqual({});
    });

    it("passes LXD's own refusal through, naming the instance and the endpoint", async () => {
        const message = await t.failingUp({
            images: images(),
            instances: { c: { name: name("c"), imageKey: "a", devices: { data: { type: "disk", source: "/nonexistent/bcm-data", path: "/data" } } } },
        });
        expect(message).toContain(
            `instance ${name("c")} on unix:///var/lib/lxd/unix.socket: Failed creating instance record: Failed initialising instance: ` +
                'Failed add validation for device "data": Missing source path "/nonexistent/bcm-data" for disk "data" (400)',
        );
        await instanceGone(name("c"));
    });

    it("deletes an instance whose start failed, and says so", async () => {
        // LXD accepts a proxy device on a busy port at create and fails only at start.
        const busy = net.createServer();
        await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
        const port = (busy.address() as net.AddressInfo).port;
        try {
            const message = await t.failingUp({
                images: images(),
                instances: { c: { name: name("c"), imageKey: "a", devices: { web: { type: "proxy", listen: `tcp:127.0.0.1:${port}`, connect: "tcp:127.0.0.1:80" } } } },
            });
            expect(message).toContain(`start of instance ${name("c")} on unix:///var/lib/lxd/unix.socket: Error occurred when starting proxy device`);
            // LXD's own reason varies ("bind: address already in use", or under load its proxy's
            // "Failed to receive fd from listener process"); ours is what follows it.
            expect(message).toMatch(/Error occurred when starting proxy device: .* \(400\); the instance was deleted again, so nothing is left behind/);
        } finally {
            busy.close();
        }
        await instanceGone(name("c"));
    });

    it("deletes an instance that never got an address, and shows what it saw", async () => {
        const message = await t.failingUp({
            images: images(),
            instances: {
                c: {
                    name: name("c"),
                    imageKey: "a",
                    profiles: [],
                    devices: { root: { type: "disk", pool: "default", path: "/" } },
                    waitForAddress: { timeoutSeconds: 5 },
                },
            },
        });
        expect(message).toMatch(
            new RegExp(`waitForAddress: instance ${name("c")} on unix:///var/lib/lxd/unix.socket: no global inet address on eth0 after 5 s \\(seen: lo: 127\\.0\\.0\\.1 \\(inet, local\\)`),
        );
        expect(message).toContain("the instance was deleted again, so nothing is left behind");
        await instanceGone(name("c"));
    });

    it("names the endpoint URL when the daemon cannot be reached", async () => {
        const message = await t.failingUp({
            remote: { url: "https://127.0.0.1:1", serverFingerprint: "0".repeat(64), clientCertificatePath: untrusted.certPath, clientKeyPath: untrusted.keyPath },
            profiles: { p: { name: name("p") } },
        });
        expect(message).toContain(
            "endpoint.url: cannot reach LXD at https://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1; " +
                "check the address and port, that LXD listens there (core.https_address) and that no firewall is in the way",
        );
    });

    it("names the fingerprint when the server is not the pinned one", async () => {
        const actual = await serverFingerprint(client);
        const message = await t.failingUp({
            remote: { url: "https://127.0.0.1:8443", serverFingerprint: "ab".repeat(32), clientCertificatePath: untrusted.certPath, clientKeyPath: untrusted.keyPath },
            profiles: { p: { name: name("p") } },
        });
        expect(message).toContain(
            `endpoint.serverFingerprint: the server certificate on https://127.0.0.1:8443: its fingerprint ${actual} is not the pinned ${"ab".repeat(32)}`,
        );
    });

    it("names the client certificate when LXD does not trust it", async () => {
        const message = await t.failingUp({
            remote: { url: "https://127.0.0.1:8443", serverFingerprint: await serverFingerprint(client), clientCertificatePath: untrusted.certPath, clientKeyPath: untrusted.keyPath },
            profiles: { p: { name: name("p") } },
        });
        expect(message).toContain(
            "endpoint.clientCertificate: the client certificate on https://127.0.0.1:8443: LXD does not trust it; add it on the server with `lxc config trust add <cert>`",
        );
        expect(await client.exists(`/1.0/profiles/${name("p")}`)).toBe(false);
    });
});
