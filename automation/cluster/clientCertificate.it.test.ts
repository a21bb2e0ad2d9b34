import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { LxdClient } from "../../components/lxd/client";
import { ensureClientCertificate } from "./clientCertificate";

// The certificate bcm makes for `--ssh` endpoints, checked with OpenSSL and against this
// machine's LXD over HTTPS (127.0.0.1:8443): refused until trusted, then trusted.
describe("the controller's client certificate", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-cert-"));
    const lxc = (...args: string[]) => execa("lxc", args, { stdin: "ignore", reject: false });
    let fingerprint = "";

    afterAll(async () => {
        if (fingerprint) await lxc("config", "trust", "remove", fingerprint);
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("is an EC P-256 pair, made once, with an owner-only key", async () => {
        const first = await ensureClientCertificate(home);
        const cert = fs.readFileSync(first.certPath, "utf8");
        expect((fs.statSync(first.keyPath).mode & 0o777).toString(8)).toBe("600");
        const text = (await execa("openssl", ["x509", "-in", first.certPath, "-noout", "-text"])).stdout;
        expect(text).toContain("prime256v1");
        expect(text).toMatch(/Subject: O ?= ?BCM, CN ?= ?bcm-controller@/);
        const fromKey = (await execa("openssl", ["pkey", "-in", first.keyPath, "-pubout"])).stdout;
        const fromCert = (await execa("openssl", ["x509", "-in", first.certPath, "-noout", "-pubkey"])).stdout;
        expect(fromKey).toBe(fromCert);
        const again = await ensureClientCertificate(home);
        expect(again).toEqual(first);
        expect(fs.readFileSync(again.certPath, "utf8")).toBe(cert);
    });

    it("is refused by LXD until trusted, and trusted after `lxc config trust add`", async () => {
        const { certPath, keyPath } = await ensureClientCertificate(home);
        const server = JSON.parse((await lxc("query", "/1.0")).stdout).environment.certificate_fingerprint as string;
        const client = () =>
            new LxdClient({ url: "https://127.0.0.1:8443", clientCertificate: fs.readFileSync(certPath, "utf8"), clientKey: fs.readFileSync(keyPath, "utf8"), serverFingerprint: server });
        const before = client();
        await expect(before.connect()).rejects.toThrow(/LXD does not trust it/);
        before.close();
        expect((await lxc("config", "trust", "add", certPath)).exitCode).toBe(0);
        fingerprint = (await execa("openssl", ["x509", "-in", certPath, "-noout", "-fingerprint", "-sha256"])).stdout.split("=")[1].replace(/:/g, "").toLowerCase();
        const after = client();
        expect((await after.connect()).auth).toBe("trusted");
        after.close();
    });

    it("refuses half a pair instead of replacing it", async () => {
        const other = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-cert-half-"));
        try {
            fs.writeFileSync(path.join(other, "client.crt"), "x");
            await expect(ensureClientCertificate(other)).rejects.toThrow(/client\.key is missing beside its pair/);
            expect(fs.readFileSync(path.join(other, "client.crt"), "utf8")).toBe("x");
        } finally {
            fs.rmSync(other, { recursive: true, force: true });
        }
    });
});
