import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa, ResultPromise } from "execa";
import { clientAuthorization, onionAddress, onionServiceKey, publicKeyFromTorFile } from "./onion";
import { renderTorrc } from "./torrc";

/** Polls until `check` returns a value, or fails after `seconds`. */
async function waitFor<T>(what: string, seconds: number, check: () => T | undefined): Promise<T> {
    for (let i = 0; i < seconds * 10; i++) {
        const value = check();
        if (value !== undefined) return value;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out after ${seconds}s waiting for ${what}`);
}

// Real Tor (Debian's), with DisableNetwork 1: it never connects anywhere, but it reads our
// torrc, creates the onion service's keys and parses the client authorization files.
describe("our torrc, onion address and client authorization keys, read by Tor itself", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-tor-"));
    const dataDirectory = path.join(dir, "data");
    const authDir = path.join(dir, "client-auth");
    const logFile = path.join(dir, "tor.log");
    let tor: ResultPromise | undefined;

    const torrc = (extra: Partial<Parameters<typeof renderTorrc>[0]> = {}) => {
        const file = path.join(dir, "torrc");
        fs.writeFileSync(
            file,
            renderTorrc({
                dataDirectory,
                onionServices: [{ name: "web", ports: [{ virtualPort: 80, target: "127.0.0.1:8080" }] }],
                disableNetwork: true,
                log: `file ${logFile}`,
                ...extra,
            }),
        );
        return file;
    };
    const start = (file: string) => {
        fs.rmSync(logFile, { force: true });
        tor = execa("tor", ["-f", file], { reject: false, stdin: "ignore" });
    };
    const stop = async () => {
        tor?.kill("SIGINT");
        await tor;
        tor = undefined;
    };
    const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");
    const ready = () => (/DisableNetwork is set/.test(log()) ? true : undefined);

    beforeAll(() => fs.mkdirSync(dataDirectory, { mode: 0o700 }));
    afterAll(async () => {
        await stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("derives the same onion address Tor writes for the service's key", async () => {
        start(torrc());
        const hostnameFile = path.join(dataDirectory, "hs-web", "hostname");
        const hostname = await waitFor("Tor to write the service's hostname", 30, () =>
            fs.existsSync(hostnameFile) ? fs.readFileSync(hostnameFile, "utf8").trim() : undefined,
        );
        await waitFor("Tor to settle", 30, ready);
        await stop();
        const key = publicKeyFromTorFile(fs.readFileSync(path.join(dataDirectory, "hs-web", "hs_ed25519_public_key")));
        expect(onionAddress(key)).toBe(hostname);
    });

    it("accepts our client authorization files, and rejects a broken one", async () => {
        const hostname = fs.readFileSync(path.join(dataDirectory, "hs-web", "hostname"), "utf8").trim();
        const auth = clientAuthorization(hostname);
        const clients = path.join(dataDirectory, "hs-web", "authorized_clients");
        fs.writeFileSync(path.join(clients, "alice.auth"), auth.serviceLine + "\n");
        fs.writeFileSync(path.join(clients, "broken.auth"), "descriptor:x25519:AAAA\n");
        fs.mkdirSync(authDir, { mode: 0o700 });
        fs.writeFileSync(path.join(authDir, "web.auth_private"), auth.clientLine + "\n", { mode: 0o600 });
        fs.writeFileSync(path.join(authDir, "broken.auth_private"), `${hostname.replace(".onion", "")}:descriptor:x25519:BBBB\n`, { mode: 0o600 });

        start(torrc({ clientOnionAuthDir: authDir }));
        await waitFor("Tor to settle", 30, ready);
        await stop();
        const warnings = log().split("\n").filter((l) => /\[(warn|err)\]/.test(l) && !/running Tor as root|sensitive/.test(l));
        // The broken files are refused (proof that Tor read both directories); ours raise nothing.
        const broken = (l: string) => /key length is invalid: (AAAA|BBBB)/.test(l);
        // (Tor parses the client directory twice: once checking the config, once loading it.)
        expect(warnings.some((l) => l.includes("public key length is invalid: AAAA"))).toBe(true);
        expect(warnings.some((l) => l.includes("private key length is invalid: BBBB"))).toBe(true);
        expect(warnings.filter((l) => !broken(l))).toEqual([]);
    });

    it("publishes a service under the key we made: Tor's hostname is our address, its public key file ours byte for byte", async () => {
        const key = onionServiceKey(Uint8Array.from({ length: 32 }, (_, i) => 7 * i));
        const keyed = path.join(dir, "keyed");
        fs.mkdirSync(keyed, { mode: 0o700 });
        const serviceDir = path.join(keyed, "hs-mine");
        fs.mkdirSync(serviceDir, { mode: 0o700 });
        fs.writeFileSync(path.join(serviceDir, "hs_ed25519_secret_key"), key.secretKeyFile, { mode: 0o600 });
        start(torrc({ dataDirectory: keyed, onionServices: [{ name: "mine", ports: [{ virtualPort: 80, target: "127.0.0.1:8080" }] }] }));
        await waitFor("Tor to settle", 30, ready);
        await stop();
        expect(fs.readFileSync(path.join(serviceDir, "hostname"), "utf8").trim()).toBe(key.address);
        expect(Buffer.from(fs.readFileSync(path.join(serviceDir, "hs_ed25519_public_key")))).toEqual(Buffer.from(key.publicKeyFile));
        // Tor kept our secret key file as it was.
        expect(Buffer.from(fs.readFileSync(path.join(serviceDir, "hs_ed25519_secret_key")))).toEqual(Buffer.from(key.secretKeyFile));
    });
});
