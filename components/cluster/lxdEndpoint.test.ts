import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { FakeLxd, envelope } from "../testing/fakeLxd";
import { pemFingerprint } from "./bootstrap";
import { LxdEndpoint, probeLocalDaemon, serverFingerprintFrom } from "./lxdEndpoint";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}
const registered: Registered[] = [];
const serverFp = "ab".repeat(32);

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                const state: Record<string, unknown> = { ...args.inputs };
                if (args.type === "command:remote:Command") {
                    state.stdout = args.name.endsWith("-trust")
                        ? `client_fingerprint=x\nserver_fingerprint=${serverFp}\n`
                        : args.name.endsWith("-preseed")
                          ? "storage_pool=default\nstorage_driver=btrfs\nhttps_address=10.0.0.5:8443\n"
                          : "lxd_version=5.0.2\n";
                    state.stderr = "";
                }
                return { id: `${args.name}-id`, state };
            },
            call: () => ({}),
        },
        "bcm",
        "dev",
        false,
    );
});

/** An Output's value and whether it is secret, under mocks. */
async function resolve<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const value = await new Promise<T>((ok) => o.apply((v) => ok(v)));
    return { value, secret: await pulumi.isSecret(o) };
}

const certDir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-endpoint-unit-"));
afterAll(() => fs.rmSync(certDir, { recursive: true, force: true }));

function certificate(): { pem: string; key: string } {
    execFileSync("openssl", [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1", "-nodes",
        "-keyout", path.join(certDir, "k"), "-out", path.join(certDir, "c"), "-days", "1", "-subj", "/CN=unit",
    ], { stdio: "ignore" });
    return { pem: fs.readFileSync(path.join(certDir, "c"), "utf8"), key: fs.readFileSync(path.join(certDir, "k"), "utf8") };
}

describe("LxdEndpoint in local mode", () => {
    let fake: FakeLxd;
    beforeAll(async () => {
        fake = await FakeLxd.start((req) => {
            if (req.path === "/1.0") return envelope.sync({ auth: "trusted", api_extensions: [], environment: { server_version: "5.0.2" } });
            if (req.path === "/1.0/profiles/default") return envelope.sync({ devices: { root: { type: "disk", path: "/", pool: "fast" } } });
            if (req.path === "/1.0/storage-pools/fast") return envelope.sync({ name: "fast", driver: "btrfs" });
            return undefined;
        });
    });
    afterAll(async () => fake.stop());

    it("checks that the daemon answers and gives its unix socket, with the root pool's driver, and no child resources", async () => {
        const before = registered.length;
        const ep = new LxdEndpoint("here", { mode: "local", socketPath: fake.socketPath });
        expect(ep.endpointName).toBe("here");
        expect((await resolve(ep.endpoint.url)).value).toBe(`unix://${fake.socketPath}`);
        expect((await resolve(ep.storageDriver)).value).toBe("btrfs");
        expect((await resolve(ep.name)).value).toBe("here");
        expect(ep.endpoint.clientKey).toBeUndefined();
        expect(fake.requests.map((r) => r.path)).toEqual(["/1.0", "/1.0/profiles/default", "/1.0/storage-pools/fast"]);
        const mine = registered.slice(before);
        expect(mine.map((r) => `${r.type} ${r.name}`)).toEqual(["bcm:cluster:LxdEndpoint here"]);
        expect(mine[0].inputs).toEqual({ mode: "local", endpointName: "here" });
    });

    it("fails with the fix when the daemon does not answer", async () => {
        // The probe the component runs (a failing component would fail the whole mock run).
        await expect(probeLocalDaemon(path.join(certDir, "no.socket"))).rejects.toThrow(
            /LXD endpoint \(local\): the daemon on .*no\.socket does not answer: .*scripts\/host\/ensure-lxd\.sh/,
        );
    });

    it("refuses a name that is not a host name", () => {
        expect(() => new LxdEndpoint("Bad_Name", { mode: "local", verify: false })).toThrow(/must be lower-case letters, digits and dashes/);
        expect(() => new LxdEndpoint("x", { mode: "nfs" as never })).toThrow(/mode must be "local" or "ssh"/);
    });
});

describe("LxdEndpoint in ssh mode", () => {
    const cert = certificate();

    it("bootstraps with three remote commands, in order, as its children", async () => {
        const before = registered.length;
        const ep = new LxdEndpoint("host-b", {
            mode: "ssh",
            connection: { host: "10.0.0.5", port: 2222, privateKey: pulumi.secret("PRIVATE"), hostKey: "ssh-ed25519 AAAA" },
            clientCertificate: cert.pem,
            clientKey: cert.key,
            lxdDir: "/var/lib/bcm-lxd-b",
            bridge: { ipv4Address: "10.78.0.1/24", ipv4Nat: false },
            verify: false,
        });
        expect((await resolve(ep.endpoint.url)).value).toBe("https://10.0.0.5:8443");
        const mine = registered.slice(before);
        expect(mine.map((r) => `${r.type} ${r.name}`)).toEqual([
            "bcm:cluster:LxdEndpoint host-b",
            "command:remote:Command host-b-install",
            "command:remote:Command host-b-preseed",
            "command:remote:Command host-b-trust",
        ]);
        const [, install, preseed, trust] = mine;
        for (const c of [install, preseed, trust]) {
            // The whole connection is a secret (it holds the key).
            const connection = c.inputs.connection as Record<string, unknown>;
            expect(connection[specialSigKey]).toBe(specialSecretSig);
            expect(connection.value).toMatchObject({ host: "10.0.0.5", port: 2222, user: "root", hostKey: "ssh-ed25519 AAAA" });
            expect(c.inputs.create).toMatch(/^bash -c '# BCM LxdEndpoint: /);
            expect(c.inputs.create).toContain("export LXD_DIR='\\''/var/lib/bcm-lxd-b'\\''");
            expect(c.inputs.addPreviousOutputInEnv).toBe(false);
        }
        expect(preseed.inputs.create).toContain('core.https_address: "10.0.0.5:8443"');
        expect(preseed.inputs.create).toContain('ipv4.address: "10.78.0.1/24"');
        expect(trust.inputs.create).toContain(`/1.0/certificates/${pemFingerprint(cert.pem)}`);
        expect(trust.inputs.delete).toContain(`-X DELETE /1.0/certificates/${pemFingerprint(cert.pem)}`);
        expect(trust.inputs.triggers).toEqual(["10.0.0.5", "/var/lib/bcm-lxd-b", cert.pem, "bcm-controller"]);
    });

    it("gives the HTTPS endpoint with the pinned fingerprint, the key as a secret, and the pool's driver", async () => {
        const ep = new LxdEndpoint("host-c", {
            mode: "ssh",
            connection: { host: "h.example", user: "admin", agentSocketPath: "/run/agent.sock" },
            address: "fd00::5",
            httpsPort: 9443,
            clientCertificate: cert.pem,
            clientKey: cert.key,
            verify: false,
        });
        const url = await resolve(ep.endpoint.url);
        expect(url).toEqual({ value: "https://[fd00::5]:9443", secret: false });
        expect(await resolve(ep.endpoint.serverFingerprint!)).toEqual({ value: serverFp, secret: false });
        expect(await resolve(ep.endpoint.clientKey!)).toEqual({ value: cert.key, secret: true });
        expect((await resolve(ep.endpoint.clientCertificate!)).value).toBe(cert.pem);
        expect((await resolve(ep.storageDriver)).value).toBe("btrfs");
        const install = registered.find((r) => r.name === "host-c-install")!;
        expect(install.inputs.create).toMatch(/^sudo -n bash -c /); // not root: through sudo
        expect(registered.find((r) => r.name === "host-c-preseed")!.inputs.create).toContain('core.https_address: "[fd00::5]:9443"');
    });

    it("names what is missing", () => {
        expect(() => new LxdEndpoint("x", { mode: "ssh", clientCertificate: cert.pem, clientKey: cert.key })).toThrow(
            /LXD endpoint x: mode "ssh" needs connection/,
        );
        expect(() => new LxdEndpoint("y", { mode: "ssh", connection: { host: "h" }, clientCertificate: cert.pem })).toThrow(/needs clientKey/);
    });

    it("reads the server fingerprint from the trust step, or says what came back", () => {
        expect(serverFingerprintFrom(`x=1\nserver_fingerprint=${"AB:".repeat(31)}AB\n`)).toBe(serverFp);
        expect(() => serverFingerprintFrom("server_fingerprint=\n")).toThrow(/did not report the server certificate fingerprint/);
    });
});
