// A private Tor network of host processes for integration tests: directory authorities,
// relays (all of them exits, guards and HSDirs), clients and onion services, all bound to one
// IPv4 address, with their own DNS for exits. No process it starts can reach the public Tor
// network: every torrc is checked before Tor reads it (see assertPrivate).
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { execa, ResultPromise } from "execa";
import { onionServiceKey } from "../../components/tor/onion";
import { renderTorrc, testNetworkTorrcLines } from "../../components/tor/torrc";
import { TorControl } from "./control";
import { DnsServer, startDnsServer } from "./dns";

export interface TorNetworkOptions {
    /** The IPv4 address every node binds and advertises, e.g. 127.0.0.1 or the LXD bridge's 10.218.0.1. */
    address: string;
    /** First of consecutive ports for the network's own listeners (2 per authority, 1 per relay, 1 for DNS); default: free ports the OS picks. */
    basePort?: number;
    /** Directory authorities (default 3). Every authority is also an exit relay. */
    authorities?: number;
    /** Further relays (default 2), exits too. */
    relays?: number;
    /** Where the network's temporary directory goes (default the OS's temp directory); it is removed on stop(). */
    dir?: string;
    /** Names the exits resolve (name → IPv4 address); default { "web.bcm.test": address }. */
    names?: Record<string, string>;
}

export interface TorClientOptions {
    /** SOCKS port on the network's address; default a free port. */
    socksPort?: number;
    /** DNS port on the network's address (UDP); default none. */
    dnsPort?: number;
    /** A directory of `<name>.auth_private` files (ClientOnionAuthDir). */
    clientAuthDir?: string;
}

export interface TorClient {
    socksPort: number;
    dnsPort?: number;
    /** `address:socksPort`, for `curl --socks5-hostname`. */
    socks: string;
    dataDirectory: string;
    stop(): Promise<void>;
}

export interface OnionServiceOptions {
    /** Lower-case name: the service lives in `<data>/hs-<name>`. */
    name: string;
    /** The port on the network's address (or `targetHost`) the service forwards to. */
    targetPort: number;
    /** The port clients use on the .onion address. */
    virtualPort: number;
    /** Where it forwards (default the network's address). */
    targetHost?: string;
    /** The identity: a 32-byte seed (as for onionServiceKey) or a 96-byte `hs_ed25519_secret_key` file; default a key Tor makes. */
    secretKey?: Uint8Array;
    /** Client authorization: `descriptor:x25519:<public>` lines (clientAuthorization().serviceLine); none means open to all. */
    authorizedClients?: string[];
}

export interface OnionService {
    name: string;
    /** Its address, `<56 characters>.onion`, as Tor wrote it in `hostname`. */
    onion: string;
    /** Its HiddenServiceDir. */
    directory: string;
    stop(): Promise<void>;
}

export interface TorNetwork {
    address: string;
    /** The network's temporary directory (every node's data directory and log are under it). */
    dir: string;
    /** The exact `DirAuthority ...` torrc lines a client elsewhere uses. */
    dirAuthorityLines: string[];
    /** The testing lines every client and onion service needs besides its DirAuthority lines. */
    testingTorrcLines: string[];
    /** What the exits resolve: name → IPv4 address. */
    resolvableNames: Record<string, string>;
    /** The exits' DNS server, `address:port` (UDP). */
    dnsServer: string;
    /** Every name the exits asked the DNS server, spelled as asked (exits randomise the case). */
    dnsQueries: string[];
    /** Milliseconds from the start to each milestone reached so far (keys, processes, consensus). */
    timings: Record<string, number>;
    /** Waits for the consensus (waitForConsensus), starts a client and resolves once it has bootstrapped to 100%. */
    startClient(options?: TorClientOptions): Promise<TorClient>;
    /** Waits for the consensus, starts an onion service in its own Tor and resolves once its descriptor is on the HSDirs. */
    startOnionService(options: OnionServiceOptions): Promise<OnionService>;
    /** Resolves once every authority serves a consensus listing every node as a running exit, guard and HSDir. */
    waitForConsensus(timeoutSeconds?: number): Promise<void>;
    /** Stops every process and removes the directory; safe to call twice. */
    stop(): Promise<void>;
}

/** Voting every 10 s (Tor's minimum), as Tor's own test networks (chutney) do. */
const authorityTorrcLines = [
    "AuthoritativeDirectory 1",
    "V3AuthoritativeDirectory 1",
    "TestingV3AuthInitialVotingInterval 5",
    "TestingV3AuthInitialVoteDelay 2",
    "TestingV3AuthInitialDistDelay 2",
    "V3AuthVotingInterval 10",
    "V3AuthVoteDelay 2",
    "V3AuthDistDelay 2",
    "V3AuthNIntervalsValid 2",
    "TestingDirAuthVoteExit *",
    "TestingDirAuthVoteGuard *",
    "TestingDirAuthVoteHSDir *",
    "TestingMinExitFlagThreshold 0",
];

/**
 * Refuses a torrc that could reach the public network: it must set DisableNetwork 1, or be a
 * test-network torrc whose DirAuthority lines are exactly `ours`.
 */
export function assertPrivate(torrc: string, ours: readonly string[]): void {
    const lines = torrc.split("\n").map((l) => l.trim());
    if (lines.some((l) => /^%include/i.test(l))) throw new Error("refusing to start Tor with a torrc that includes other files");
    if (lines.includes("DisableNetwork 1") && !lines.some((l) => /^DisableNetwork\s+0/.test(l)) && !lines.some((l) => /^DirAuthority/.test(l))) return;
    const authorities = lines.filter((l) => /^(DirAuthority|AlternateDirAuthority|FallbackDir|Bridge)\b/i.test(l));
    const problems = [
        !lines.includes("TestingTorNetwork 1") && "no `TestingTorNetwork 1`",
        !lines.includes("UseDefaultFallbackDirs 0") && "no `UseDefaultFallbackDirs 0`",
        ours.length === 0 && "no DirAuthority lines of our own",
        authorities.some((l) => !ours.includes(l)) && `a directory line that is not ours: ${authorities.find((l) => !ours.includes(l))}`,
        ours.some((l) => !authorities.includes(l)) && "not every one of our DirAuthority lines",
    ].filter(Boolean);
    if (problems.length > 0) throw new Error(`refusing to start Tor with a torrc that might reach the public Tor network: ${problems.join("; ")}`);
}

/** A free TCP (or UDP) port on `address`, chosen by the OS. */
export async function freePort(address: string, udp = false): Promise<number> {
    if (udp) {
        const dgram = await import("node:dgram");
        const socket = dgram.createSocket("udp4");
        await new Promise<void>((resolve, reject) => socket.once("error", reject).bind(0, address, () => resolve()));
        const port = socket.address().port;
        await new Promise<void>((resolve) => socket.close(() => resolve()));
        return port;
    }
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, address, () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

async function poll<T>(what: string, seconds: number, check: () => Promise<T | undefined> | T | undefined, interval = 200): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch (e) {
            if (e instanceof FatalError) throw e;
            lastError = e;
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${what}${lastError ? ` (last error: ${lastError})` : ""}`);
        await new Promise((r) => setTimeout(r, interval));
    }
}

class FatalError extends Error {}

function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const request = http.get(url, { timeout: timeoutMs }, (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (c: string) => (body += c));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
            response.on("error", reject);
        });
        request.on("timeout", () => request.destroy(new Error(`GET ${url} timed out`)));
        request.on("error", reject);
    });
}

interface TorProcess {
    name: string;
    dataDirectory: string;
    logFile: string;
    process: ResultPromise;
    exited: boolean;
    control?: TorControl;
}

// Every running network, stopped when the process exits (Tor also watches our pid through
// __OwningControllerProcess and exits if we die without cleaning up).
const liveNetworks = new Set<{ killNow(): void }>();
let exitHookInstalled = false;
function registerForExit(network: { killNow(): void }): void {
    liveNetworks.add(network);
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    process.on("exit", () => {
        for (const n of liveNetworks) n.killNow();
    });
}

/** Brings up a private Tor network (see TorNetworkOptions); its clients and onion services start once it has a full consensus. */
export async function startTorNetwork(options: TorNetworkOptions): Promise<TorNetwork> {
    const t0 = Date.now();
    const timings: Record<string, number> = {};
    const mark = (milestone: string) => (timings[milestone] = Date.now() - t0);
    const { address } = options;
    const authorityCount = options.authorities ?? 3;
    const relayCount = options.relays ?? 2;
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) throw new Error(`address: "${address}" must be an IPv4 address`);
    if (authorityCount < 1 || relayCount < 0 || authorityCount + relayCount < 3) throw new Error("a Tor network needs at least one authority and three nodes in all (a circuit has three hops)");
    const names = options.names ?? { "web.bcm.test": address };

    const dir = fs.mkdtempSync(path.join(options.dir ?? os.tmpdir(), "bcm-tornet-"));
    fs.chmodSync(dir, 0o700);
    const processes: TorProcess[] = [];
    let stopped = false;
    let dns: DnsServer | undefined;

    const killNow = () => {
        for (const p of processes) if (!p.exited) p.process.kill("SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
    };
    const handle = { killNow };
    registerForExit(handle);

    const stop = async () => {
        if (stopped) return;
        stopped = true;
        for (const p of processes) p.control?.close();
        await Promise.all(processes.map((p) => stopProcess(p)));
        await dns?.close();
        if (!process.env.BCM_TORNET_KEEP) fs.rmSync(dir, { recursive: true, force: true });
        liveNetworks.delete(handle);
    };

    try {
        let nextPort = options.basePort;
        const port = async (udp = false) => (nextPort !== undefined ? nextPort++ : freePort(address, udp));

        // The exits' resolver: evdns reads `nameserver <ip>:<port>` from resolv.conf (Tor passes
        // the file to libevent unchanged), so the DNS server needs no privileged port 53.
        dns = await startDnsServer(address, await port(true), names);
        const resolvConf = path.join(dir, "resolv.conf");
        fs.writeFileSync(resolvConf, `nameserver ${address}:${dns.port}\n`);
        const emptyDefaults = path.join(dir, "torrc-defaults");
        fs.writeFileSync(emptyDefaults, "");

        // Authorities: identity, signing key and certificate from tor-gencert, relay identity
        // from tor --list-fingerprint (with DisableNetwork 1: it only writes keys).
        const authorities = await Promise.all(
            Array.from({ length: authorityCount }, async (_, i) => {
                const nickname = `bcmauth${i}`;
                const dataDirectory = mkdir(path.join(dir, nickname));
                const keys = mkdir(path.join(dataDirectory, "keys"));
                const orPort = await port();
                const dirPort = await port();
                await execa("tor-gencert", ["--create-identity-key", "-m", "12", "-a", `${address}:${dirPort}`, "--passphrase-fd", "0",
                    "-i", path.join(keys, "authority_identity_key"), "-s", path.join(keys, "authority_signing_key"), "-c", path.join(keys, "authority_certificate")], { input: "\n" });
                const v3ident = /^fingerprint ([0-9A-F]{40})$/m.exec(fs.readFileSync(path.join(keys, "authority_certificate"), "utf8"))![1];
                const keygen = path.join(dataDirectory, "torrc-keygen");
                const keygenTorrc = `DataDirectory ${dataDirectory}\nNickname ${nickname}\nORPort ${address}:${orPort}\nDisableNetwork 1\nLog warn stderr\n`;
                assertPrivate(keygenTorrc, []);
                fs.writeFileSync(keygen, keygenTorrc);
                await execa("tor", ["--list-fingerprint", "--defaults-torrc", emptyDefaults, "-f", keygen], { stdin: "ignore" });
                const fingerprint = /^\S+ ([0-9A-F]{40})$/m.exec(fs.readFileSync(path.join(dataDirectory, "fingerprint"), "utf8"))![1];
                return { nickname, dataDirectory, orPort, dirPort, v3ident, fingerprint };
            }),
        );
        mark("keys");
        const dirAuthorityLines = authorities.map(
            (a) => `DirAuthority ${a.nickname} orport=${a.orPort} no-v2 v3ident=${a.v3ident} ${address}:${a.dirPort} ${a.fingerprint}`,
        );
        const testingTorrcLines = [...testNetworkTorrcLines];
        // Every Tor exits on its own if this process dies without stopping it (Tor checks the pid
        // every 15 s); none keeps connections open on shutdown.
        const shared = [...testingTorrcLines, ...dirAuthorityLines, `__OwningControllerProcess ${process.pid}`, "ShutdownWaitLength 0", "SafeLogging 0"];
        const relayLines = (nickname: string, dataDirectory: string, orPort: number) => [
            `DataDirectory ${dataDirectory}`,
            `Log notice file ${path.join(dataDirectory, "notice.log")}`,
            ...debugLog(dataDirectory),
            `Nickname ${nickname}`,
            `ContactInfo ${nickname}@bcm.test`,
            `Address ${address}`,
            `ORPort ${address}:${orPort}`,
            "SocksPort 0",
            "AssumeReachable 1",
            // Every node is an exit that may reach the test address (and any private address).
            "ExitRelay 1",
            "ExitPolicyRejectPrivate 0",
            "ExitPolicyRejectLocalInterfaces 0",
            "ExitPolicy accept *:*",
            // Exits resolve names with our DNS server only.
            `ServerDNSResolvConfFile ${resolvConf}`,
            "ServerDNSDetectHijacking 0",
            "ServerDNSAllowNonRFC953Hostnames 1",
            ...shared,
        ];

        const launch = (name: string, dataDirectory: string, torrc: string): TorProcess => {
            assertPrivate(torrc, dirAuthorityLines);
            const file = path.join(dataDirectory, "torrc");
            fs.writeFileSync(file, torrc);
            const child = execa("tor", ["--defaults-torrc", emptyDefaults, "-f", file], { reject: false, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
            const p: TorProcess = { name, dataDirectory, logFile: path.join(dataDirectory, "notice.log"), process: child, exited: false };
            void child.then(() => (p.exited = true));
            processes.push(p);
            return p;
        };

        const nodes: { name: string; process: TorProcess }[] = [];
        for (const a of authorities) {
            const torrc = [...relayLines(a.nickname, a.dataDirectory, a.orPort), `DirPort ${address}:${a.dirPort}`, ...authorityTorrcLines].join("\n") + "\n";
            nodes.push({ name: a.nickname, process: launch(a.nickname, a.dataDirectory, torrc) });
        }
        for (let i = 0; i < relayCount; i++) {
            const nickname = `bcmrelay${i}`;
            const dataDirectory = mkdir(path.join(dir, nickname));
            const torrc = relayLines(nickname, dataDirectory, await port()).join("\n") + "\n";
            nodes.push({ name: nickname, process: launch(nickname, dataDirectory, torrc) });
        }
        mark("processes");

        const assertRunning = (what: string) => {
            if (stopped) throw new Error(`cannot ${what}: the network is stopped`);
        };
        // A node that does not get there in time: the error carries the end of its log.
        const withLog = async <T>(p: TorProcess, f: () => Promise<T>): Promise<T> => {
            try {
                return await f();
            } catch (e) {
                if (e instanceof FatalError) throw e;
                throw new Error(`${(e as Error).message}\n${p.name}'s log ends:\n${logTail(p.logFile)}`);
            }
        };

        const failed = (p: TorProcess) => {
            if (p.exited) throw new FatalError(`${p.name} exited:\n${logTail(p.logFile)}`);
        };

        const connect = async (p: TorProcess) => {
            const socket = path.join(p.dataDirectory, "control");
            p.control = await poll(`${p.name}'s control socket`, 30, async () => {
                failed(p);
                return fs.existsSync(socket) ? TorControl.connect(socket, path.join(p.dataDirectory, "control_auth_cookie")) : undefined;
            });
            return p.control;
        };

        // Every authority must serve it (clients ask any of them), in the microdescriptor flavour
        // clients use: a client that caught an older one would wait a voting interval for the next.
        let consensusReached = false;
        const waitForConsensus = async (timeoutSeconds = 180) => {
            assertRunning("wait for a consensus");
            if (consensusReached) return;
            const complete = async (dirPort: number) => {
                const { status, body } = await httpGet(`http://${address}:${dirPort}/tor/status-vote/current/consensus-microdesc`).catch(() => ({ status: 0, body: "" }));
                const flags = status === 200 ? body.split("\n").filter((l) => l.startsWith("s ")) : [];
                return flags.filter((l) => ["Running", "Valid", "Exit", "Guard", "HSDir"].every((f) => l.split(" ").includes(f))).length >= nodes.length;
            };
            await poll("every authority to serve a consensus listing every node as a running exit, guard and HSDir", timeoutSeconds, async () => {
                for (const n of nodes) failed(n.process);
                const answers = await Promise.all(authorities.map((a) => complete(a.dirPort)));
                return answers.every(Boolean) ? true : undefined;
            }, 500);
            consensusReached = true;
            mark("consensus");
        };

        let clients = 0;
        const startClient = async (o: TorClientOptions = {}): Promise<TorClient> => {
            assertRunning("start a client");
            // A Tor that caught a consensus listing too few nodes builds no circuit until its
            // next fetch, which on a busy machine came after our 180 s (CI, btcdPeers.it).
            await waitForConsensus();
            const name = `client${clients++}`;
            const dataDirectory = mkdir(path.join(dir, name));
            const socksPort = o.socksPort ?? (await freePort(address));
            const torrc =
                renderTorrc({
                    dataDirectory,
                    socksListen: `${address}:${socksPort}`,
                    dnsListen: o.dnsPort !== undefined ? `${address}:${o.dnsPort}` : undefined,
                    clientOnionAuthDir: o.clientAuthDir,
                    log: `file ${path.join(dataDirectory, "notice.log")}`,
                    testNetworkAuthorities: dirAuthorityLines,
                }) + controlLines(dataDirectory, shared);
            const p = launch(name, dataDirectory, torrc);
            await withLog(p, async () => {
                const control = await connect(p);
                await poll(`${name} to bootstrap`, 120, async () => {
                    failed(p);
                    return /PROGRESS=100/.test(await control.getInfo("status/bootstrap-phase")) ? true : undefined;
                }, 250);
            });
            mark(`${name} bootstrapped`);
            return { socksPort, dnsPort: o.dnsPort, socks: `${address}:${socksPort}`, dataDirectory, stop: () => stopProcess(p) };
        };

        const startOnionService = async (o: OnionServiceOptions): Promise<OnionService> => {
            assertRunning("start an onion service");
            await waitForConsensus();
            const dataDirectory = mkdir(path.join(dir, `onion-${o.name}`));
            const directory = mkdir(path.join(dataDirectory, `hs-${o.name}`));
            if (o.secretKey) {
                const file = o.secretKey.length === 32 ? onionServiceKey(o.secretKey).secretKeyFile : o.secretKey;
                if (file.length !== 96) throw new Error(`secretKey: a 32-byte seed or a 96-byte hs_ed25519_secret_key file, got ${o.secretKey.length} bytes`);
                fs.writeFileSync(path.join(directory, "hs_ed25519_secret_key"), file, { mode: 0o600 });
            }
            if (o.authorizedClients && o.authorizedClients.length > 0) {
                const clientsDir = mkdir(path.join(directory, "authorized_clients"));
                o.authorizedClients.forEach((line, i) => fs.writeFileSync(path.join(clientsDir, `client${i}.auth`), `${line}\n`, { mode: 0o600 }));
            }
            // Started with DisableNetwork 1 so that we listen for HS_DESC events before it can
            // upload anything; then let onto the network.
            const torrc =
                renderTorrc({
                    dataDirectory,
                    onionServices: [{ name: o.name, ports: [{ virtualPort: o.virtualPort, target: `${o.targetHost ?? address}:${o.targetPort}` }] }],
                    log: `file ${path.join(dataDirectory, "notice.log")}`,
                    testNetworkAuthorities: dirAuthorityLines,
                    disableNetwork: true,
                }) + controlLines(dataDirectory, shared);
            const p = launch(`onion-${o.name}`, dataDirectory, torrc);
            const onion = await withLog(p, async () => {
                const control = await connect(p);
                const hostname = await poll(`${o.name}'s hostname`, 30, () => {
                    failed(p);
                    const f = path.join(directory, "hostname");
                    return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim() || undefined : undefined;
                });
                const service = hostname.replace(/\.onion$/, "");
                // Uploads in flight per HSDir; done when each has answered and at least one took it.
                const inFlight = new Map<string, number>();
                let uploaded = 0;
                const unsubscribe = control.onEvent(({ lines }) => {
                    const [event, action, onionAddress, , hsdir] = lines[0].split(" ");
                    if (event !== "HS_DESC" || onionAddress !== service) return;
                    if (action === "UPLOAD") inFlight.set(hsdir, (inFlight.get(hsdir) ?? 0) + 1);
                    if (action === "UPLOADED" || action === "FAILED") inFlight.set(hsdir, (inFlight.get(hsdir) ?? 1) - 1);
                    if (action === "UPLOADED") uploaded++;
                });
                await control.command("SETEVENTS HS_DESC");
                await control.command("SETCONF DisableNetwork=0");
                await poll(`${o.name}'s descriptor to reach the HSDirs`, 180, () => {
                    failed(p);
                    return uploaded > 0 && [...inFlight.values()].every((n) => n <= 0) ? true : undefined;
                }, 250);
                unsubscribe();
                return hostname;
            });
            mark(`onion ${o.name} published`);
            return { name: o.name, onion, directory, stop: () => stopProcess(p) };
        };

        return {
            address,
            dir,
            dirAuthorityLines,
            testingTorrcLines,
            resolvableNames: { ...names },
            dnsServer: `${address}:${dns.port}`,
            dnsQueries: dns.queries,
            timings,
            startClient,
            startOnionService,
            waitForConsensus,
            stop,
        };
    } catch (e) {
        await stop();
        throw e;
    }
}

/** BCM_TORNET_LOG=info (or debug) adds a log at that level to every node: `<data directory>/<level>.log`. */
function debugLog(dataDirectory: string): string[] {
    const level = process.env.BCM_TORNET_LOG;
    return level && /^(info|debug)$/.test(level) ? [`Log ${level} file ${path.join(dataDirectory, `${level}.log`)}`] : [];
}

function controlLines(dataDirectory: string, shared: string[]): string {
    const extra = [`ControlSocket ${path.join(dataDirectory, "control")}`, "CookieAuthentication 1", ...debugLog(dataDirectory), ...shared.filter((l) => !/^(TestingTorNetwork|UseDefaultFallbackDirs|PathsNeeded|DirAuthority)/.test(l))];
    return extra.join("\n") + "\n";
}

function mkdir(dir: string): string {
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    return dir;
}

function logTail(file: string, lines = 20): string {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n") : "(no log)";
}

async function stopProcess(p: TorProcess): Promise<void> {
    if (p.exited) return;
    p.control?.close();
    p.process.kill("SIGTERM");
    const timer = setTimeout(() => p.process.kill("SIGKILL"), 5000);
    await p.process;
    clearTimeout(timer);
    p.exited = true;
}
