import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { LxdClient } from "../client/client";
import { getAlias, splitImageFingerprint } from "../client/images";
import { getInstance } from "../client/instances";
import { ClientCertificate, makeClientCertificate, serverFingerprint, trustCertificate } from "../../testing/lxd/testCertificate";
import { TestImage, testImage } from "../../testing/lxd/testImage";
import { TestStack } from "../../testing/lxd/testStack";

// A remote endpoint: HTTPS to 127.0.0.1:8443 with a client certificate made for the test
// and added to LXD's trust store, the server certificate pinned by fingerprint.
describe("the LXD provider over HTTPS with a pinned server certificate", () => {
    const local = new LxdClient();
    const certDir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-lxd-remote-"));
    let t: TestStack;
    let image: TestImage;
    let cert: ClientCertificate;
    let remote: { url: string; serverFingerprint: string; clientCertificatePath: string; clientKeyPath: string };
    let fingerprint: string;

    beforeAll(async () => {
        image = testImage();
        fingerprint = await splitImageFingerprint(image);
        t = await TestStack.open("r");
        cert = makeClientCertificate(certDir, `${t.prefix}-client`);
        await trustCertificate(local, `${t.prefix}-client`, cert);
        remote = {
            url: "https://127.0.0.1:8443",
            serverFingerprint: await serverFingerprint(local),
            clientCertificatePath: cert.certPath,
            clientKeyPath: cert.keyPath,
        };
    });
    afterAll(async () => {
        await t?.dispose([fingerprint]); // the sweep also removes the trusted certificate
        fs.rmSync(certDir, { recursive: true, force: true });
    });

    const name = (n: string) => `${t.prefix}-${n}`;
    const declared = () => ({
        remote,
        images: { a: { metadataPath: image.metadataPath, rootfsPath: image.rootfsPath, aliases: [name("a")] } },
        profiles: { p: { name: name("p"), config: { "user.over": "https" } } },
        instances: { c: { name: name("c"), imageKey: "a", profileKeys: ["p"], waitForAddress: { timeoutSeconds: 120 } } },
    });

    it("uploads an image, creates a profile and starts an instance over HTTPS", async () => {
        const up = await t.up(declared());
        expect(up.summary.resourceChanges).toEqual({ create: 4 });
        expect((await getAlias(local, name("a")))?.target).toBe(fingerprint);
        const instance = await getInstance(local, name("c"));
        expect(instance?.instance.status).toBe("Running");
        expect(instance?.instance.profiles).toEqual(["default", name("p")]);
        expect(up.outputs.instanceOutputs.value.c.ipv4Address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    });

    it("keeps the client key encrypted in the state", async () => {
        const keyBody = cert.key.split("\n")[1]; // a line of the key's base64
        for (const file of t.stateFiles()) {
            expect(fs.readFileSync(file, "utf8")).not.toContain(keyBody);
        }
        const state = await t.stack.exportStack();
        const instance = state.deployment.resources.find((r: { type: string }) => r.type === "lxd:index:Instance");
        // The export decrypts; what matters is that the key is marked secret in both places.
        expect(instance.outputs.endpoint.clientKey[specialSigKey]).toBe(specialSecretSig);
        expect(instance.inputs.endpoint.clientKey[specialSigKey]).toBe(specialSecretSig);
        expect(instance.outputs.endpoint.url).toBe("https://127.0.0.1:8443");
    });

    it("has nothing to do on a second up, and refreshes over HTTPS", async () => {
        expect((await t.up(declared())).summary.resourceChanges).toEqual({ same: 4 });
        expect((await t.stack.refresh()).summary.resourceChanges).toEqual({ same: 4 });
    });

    it("destroys everything over HTTPS", async () => {
        const destroyed = await t.stack.destroy();
        expect(destroyed.summary.resourceChanges).toEqual({ delete: 4 });
        expect(await getInstance(local, name("c"))).toBeUndefined();
        expect(await local.exists(`/1.0/profiles/${name("p")}`)).toBe(false);
        expect(await getAlias(local, name("a"))).toBeUndefined();
    });
});
