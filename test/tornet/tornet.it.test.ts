import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { Resolver } from "node:dns/promises";
import { execa, execaSync } from "execa";
import { clientAuthorization, onionServiceKey, publicKeyFromTorFile, onionAddress } from "../../components/tor/onion";
import { freePort, startTorNetwork, TorClient, TorNetwork } from "./tornet";

// The address every node binds: the LXD bridge's when this host has one (so that containers can
// join the network), else loopback. BCM_TORNET_ADDRESS overrides.
function testAddress(): string {
    if (process.env.BCM_TORNET_ADDRESS) return process.env.BCM_TORNET_ADDRESS;
    // (os.networkInterfaces() leaves out a bridge without carrier, i.e. with no container yet.)
    const bridge = execaSync("ip", ["-4", "-o", "addr", "show", "lxdbr0"], { reject: false }).stdout;
    return /inet (\d+\.\d+\.\d+\.\d+)\//.exec(bridge)?.[1] ?? "127.0.0.1";
}

const curl = (socks: string, url: string, timeoutSeconds = 60) =>
    execa("curl", ["--silent", "--show-error", "--max-time", String(timeoutSeconds), "--socks5-hostname", socks, url], { reject: false, stripFinalNewline: false });

describe("a private Tor network of host processes", () => {
    const address = testAddress();
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const timings: string[] = [];
    const time = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
        const start = Date.now();
        const value = await f();
        timings.push(`${what}: ${seconds(Date.now() - start)}`);
        return value;
    };

    let network: TorNetwork;
    let web: http.Server;
    let webPort: number;
    let client: TorClient;
    const page = `hello from ${address} through Tor\n`;

    beforeAll(async () => {
        web = http.createServer((_, res) => res.end(page));
        await new Promise<void>((resolve) => web.listen(0, address, () => resolve()));
        webPort = (web.address() as net.AddressInfo).port;
        network = await time("network processes started", () => startTorNetwork({ address }));
        await time("first consensus with every node", () => network.waitForConsensus());
        client = await time("client bootstrapped", async () => network.startClient({ dnsPort: await freePort(address, true) }));
    });

    afterAll(async () => {
        await network?.stop();
        await network?.stop(); // twice is fine
        web?.close();
        console.log(`tornet on ${address}:\n  ${timings.join("\n  ")}\n  network milestones (ms since start): ${JSON.stringify(network?.timings)}\n  names the exits asked our DNS: ${network?.dnsQueries.join(", ")}`);
    });

    it("gives clients elsewhere the lines they need, and nothing public", () => {
        expect(network.dirAuthorityLines).toHaveLength(3);
        for (const line of network.dirAuthorityLines) {
            expect(line).toMatch(new RegExp(`^DirAuthority bcmauth\\d orport=\\d+ no-v2 v3ident=[0-9A-F]{40} ${address.replace(/\./g, "\\.")}:\\d+ [0-9A-F]{40}$`));
        }
        expect(network.testingTorrcLines).toEqual(expect.arrayContaining(["TestingTorNetwork 1", "UseDefaultFallbackDirs 0"]));
        expect(network.resolvableNames).toEqual({ "web.bcm.test": address });
        expect(fs.existsSync(network.dir)).toBe(true);
    });

    it("serves a page from an onion service whose key we made, at the address we computed", async () => {
        const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
        const key = onionServiceKey(seed);
        const service = await time("onion service published", () => network.startOnionService({ name: "web", targetPort: webPort, virtualPort: 80, secretKey: seed }));
        expect(service.onion).toBe(key.address);
        // Tor derives the public key file from our secret key file: byte for byte ours.
        const publicKeyFile = fs.readFileSync(path.join(service.directory, "hs_ed25519_public_key"));
        expect(Buffer.from(publicKeyFile)).toEqual(Buffer.from(key.publicKeyFile));
        expect(onionAddress(publicKeyFromTorFile(publicKeyFile))).toBe(key.address);

        const result = await time("onion page fetched", () => curl(client.socks, `http://${key.address}/`));
        expect(result.stderr).toBe("");
        expect(result.stdout).toBe(page);
    });

    it("reaches a web server by name through an exit, resolved by the exits' own DNS", async () => {
        const result = await time("page fetched by name through an exit", () => curl(client.socks, `http://web.bcm.test:${webPort}/`));
        expect(result.stderr).toBe("");
        expect(result.stdout).toBe(page);
        // An exit asked our DNS server, randomising the name's case (0x20 encoding).
        expect(network.dnsQueries.map((q) => q.toLowerCase())).toContain("web.bcm.test");
        const unknown = await curl(client.socks, `http://nowhere.bcm.test:${webPort}/`);
        expect(unknown.exitCode).not.toBe(0);
    });

    it("answers DNS queries on the client's DNSPort", async () => {
        const resolver = new Resolver({ timeout: 10_000, tries: 3 });
        resolver.setServers([`${address}:${client.dnsPort}`]);
        expect(await time("DNSPort answer", () => resolver.resolve4("web.bcm.test"))).toEqual([address]);
        await expect(resolver.resolve4("nowhere.bcm.test")).rejects.toThrow(/ENOTFOUND|ESERVFAIL|EREFUSED/);
    });

    it("serves an onion service with client authorization only to a client holding the key", async () => {
        const seed = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);
        const key = onionServiceKey(seed);
        const auth = clientAuthorization(key.address);
        await time("authorized onion service published", () =>
            network.startOnionService({ name: "private", targetPort: webPort, virtualPort: 8080, secretKey: seed, authorizedClients: [auth.serviceLine] }),
        );
        const refused = await time("refusal without the key", () => curl(client.socks, `http://${key.address}:8080/`));
        expect(refused.exitCode).not.toBe(0);
        expect(refused.stdout).toBe("");
        // Refused for the key it lacks: it found the descriptor but could not decrypt it.
        expect(fs.readFileSync(path.join(client.dataDirectory, "notice.log"), "utf8")).toMatch(/Fail to decrypt descriptor for requested onion address. It is likely requiring client authorization/);

        const authDir = fs.mkdtempSync(path.join(network.dir, "auth-"));
        fs.writeFileSync(path.join(authDir, "private.auth_private"), `${auth.clientLine}\n`, { mode: 0o600 });
        const keyed = await network.startClient({ clientAuthDir: authDir });
        const served = await time("page with the key", () => curl(keyed.socks, `http://${key.address}:8080/`));
        expect(served.stderr).toBe("");
        expect(served.stdout).toBe(page);
        await keyed.stop();
    });
});
