import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LxdClient } from "../client/client";
import { execWithStdin } from "../client/execStdin";
import { splitImageFingerprint } from "../client/images";
import { makeClientCertificate, serverFingerprint, trustCertificate } from "../../testing/lxd/testCertificate";
import { TestImage, testImage } from "../../testing/lxd/testImage";
import { TestStack } from "../../testing/lxd/testStack";

// Standard input over LXD's websocket exec API, against the real daemon: bytes arrive exactly
// and end with end of file, stdout and stderr come back apart, the exit code is the
// command's; over the unix socket and over HTTPS with a pinned certificate.
describe("execWithStdin: a command's standard input over LXD's websockets", () => {
    const local = new LxdClient();
    const certDir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-lxd-stdin-"));
    let t: TestStack;
    let image: TestImage;
    let fingerprint: string;
    let remote: LxdClient;
    let box: string;

    beforeAll(async () => {
        image = testImage();
        fingerprint = await splitImageFingerprint(image);
        t = await TestStack.open("s");
        box = `${t.prefix}-box`;
        const cert = makeClientCertificate(certDir, `${t.prefix}-client`);
        await trustCertificate(local, `${t.prefix}-client`, cert);
        remote = new LxdClient({ url: "https://127.0.0.1:8443", serverFingerprint: await serverFingerprint(local), clientCertificate: cert.pem, clientKey: cert.key });
        const up = await t.up({
            images: { a: { metadataPath: image.metadataPath, rootfsPath: image.rootfsPath, aliases: [`${t.prefix}-a`] } },
            instances: { c: { name: box, imageKey: "a" } },
        });
        expect(up.summary.result).toBe("succeeded");
    });
    afterAll(async () => {
        remote?.close();
        await t?.dispose([fingerprint]);
        fs.rmSync(certDir, { recursive: true, force: true });
    });

    it("delivers a megabyte of binary input exactly, then end of file", async () => {
        const input = crypto.randomBytes(1024 * 1024);
        const r = await execWithStdin(local, box, ["sh", "-c", "sha256sum | cut -d' ' -f1; wc -c >&2 </dev/null; echo done >&2"], { stdin: input });
        expect(r).toEqual({ exitCode: 0, stdout: crypto.createHash("sha256").update(input).digest("hex") + "\n", stderr: "0\ndone\n" });
    });

    it("returns the command's exit code and keeps stdout and stderr apart (an empty input is end of file at once)", async () => {
        const r = await execWithStdin(local, box, ["sh", "-c", 'read x; echo "out:$x"; echo "err:$x" >&2; exit 7'], { stdin: Buffer.from("line one\nline two\n") });
        expect(r).toEqual({ exitCode: 7, stdout: "out:line one\n", stderr: "err:line one\n" });
        expect(await execWithStdin(local, box, ["cat"], { stdin: Buffer.alloc(0) })).toEqual({ exitCode: 0, stdout: "", stderr: "" });
    });

    it("keeps the input off the command line, the environment and the operation LXD records", async () => {
        const secret = `stdin-secret-${crypto.randomBytes(8).toString("hex")}`;
        const r = await execWithStdin(local, box, ["sh", "-c", "cat >/dev/null; cat /proc/$$/cmdline /proc/$$/environ | tr '\\0' '\\n'"], { stdin: Buffer.from(secret) });
        expect(r.exitCode).toBe(0);
        expect(r.stdout).not.toContain(secret);
        const ops = JSON.stringify(await local.get("/1.0/operations?recursion=1"));
        expect(ops).not.toContain(secret);
    });

    it("works the same over HTTPS with the pinned server certificate", async () => {
        const r = await execWithStdin(remote, box, ["sh", "-c", "tr a-z A-Z; exit 3"], { stdin: Buffer.from("over https\n") });
        expect(r).toEqual({ exitCode: 3, stdout: "OVER HTTPS\n", stderr: "" });
    });

    it("names the instance when it does not exist", async () => {
        await expect(execWithStdin(local, `${t.prefix}-none`, ["true"], { stdin: Buffer.alloc(0) })).rejects.toThrow(new RegExp(`${t.prefix}-none`));
    });
});
