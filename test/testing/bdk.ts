// BDK (bdkpython from PyPI) for tests, as services/electrum's Go test runs it: a venv under the
// cache with the pinned release, made when missing, and test/testing/bdkWallet.py driving it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";

/** The bdkpython release (the one services/electrum/test/bdk_test.go pins), so both share one venv. */
export const bdkVersion = "3.1.1";

/** The Python of a venv with bdkpython installed: `${BCM_CACHE_DIR:-~/.cache/bcm}/venv-bdk-<version>`, made when missing. */
export async function bdkPython(): Promise<string> {
    const cache = process.env.BCM_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "bcm");
    const venv = path.join(cache, `venv-bdk-${bdkVersion}`);
    const python = path.join(venv, "bin", "python");
    const check = () => execa(python, ["-c", `import bdkpython, importlib.metadata as m; assert m.version('bdkpython') == '${bdkVersion}'`], { reject: false, stdin: "ignore" });
    if (fs.existsSync(python) && (await check()).exitCode === 0) return python;
    const made = await execa("python3", ["-m", "venv", "--clear", venv], { reject: false, stdin: "ignore" });
    if (made.exitCode !== 0) throw new Error(`python3 -m venv ${venv}: ${made.stderr.trim()} (the test needs python3 with the venv module: apt-get install python3-venv)`);
    const pip = await execa(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", `bdkpython==${bdkVersion}`], { reject: false, stdin: "ignore" });
    if (pip.exitCode !== 0) throw new Error(`pip install bdkpython==${bdkVersion}: ${pip.stderr.trim().split("\n").pop()}`);
    return python;
}

export interface BdkBalance {
    confirmed: number;
    immature: number;
    trusted_pending: number;
    untrusted_pending: number;
    total: number;
}

export interface BdkState {
    balance: BdkBalance;
    tip: number;
    txs: { txid: string; confirmed: boolean; height: number | null; received: number; sent: number }[];
}

/** A wallet and the server it talks to: its descriptors (private: they go on stdin), the server, the SOCKS proxy it goes through. */
export interface BdkTarget {
    /** The wallet's name in the BDK process (one in-memory wallet per name). */
    wallet: string;
    descriptor: string;
    changeDescriptor: string;
    /** `tcp://<onion>:<port>`. */
    url: string;
    /** `host:port` of a Tor client's SOCKS. */
    socks5: string;
}

/** A running bdkWallet.py: requests one at a time, answers in order. */
export interface BdkSession {
    /** A full scan of the wallet from the server. */
    sync(target: BdkTarget): Promise<BdkState>;
    /** A full scan, then a payment built, signed and broadcast through the server. */
    send(target: BdkTarget, to: string, amount: number): Promise<{ txid: string; fee: number }>;
    stop(): Promise<void>;
}

/** Starts bdkWallet.py (test/testing/) with the venv's Python; its wallets and Electrum clients live as long as it does. */
export function startBdk(python: string): BdkSession {
    const child = execa(python, [path.join(__dirname, "bdkWallet.py")], { stdin: "pipe", stdout: "pipe", stderr: "pipe", reject: false, buffer: false });
    const lines: string[] = [];
    const waiting: ((line: string | undefined) => void)[] = [];
    let pending = "";
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    child.stdout!.on("data", (c: Buffer) => {
        pending += c.toString();
        let i: number;
        while ((i = pending.indexOf("\n")) >= 0) {
            const line = pending.slice(0, i);
            pending = pending.slice(i + 1);
            const w = waiting.shift();
            if (w) w(line);
            else lines.push(line);
        }
    });
    child.stdout!.on("close", () => waiting.splice(0).forEach((w) => w(undefined)));
    let queue: Promise<unknown> = Promise.resolve();
    const call = <T>(what: string, request: Record<string, unknown>): Promise<T> => {
        const run = async () => {
            child.stdin!.write(JSON.stringify(request) + "\n");
            const line = lines.shift() ?? (await new Promise<string | undefined>((resolve) => waiting.push(resolve)));
            if (line === undefined) throw new Error(`BDK ${what}: bdkWallet.py ended: ${stderr.trim().split("\n").pop() ?? ""}`);
            const out = JSON.parse(line) as T & { error?: string };
            if (out.error) throw new Error(`BDK ${what}: ${out.error}`);
            return out;
        };
        const result = queue.then(run, run);
        queue = result.catch(() => undefined);
        return result;
    };
    const request = (t: BdkTarget) => ({ wallet: t.wallet, descriptor: t.descriptor, change_descriptor: t.changeDescriptor, url: t.url, socks5: t.socks5 });
    return {
        sync: (t) => call<BdkState>("sync", { cmd: "sync", ...request(t) }),
        send: (t, to, amount) => call<{ txid: string; fee: number }>("send", { cmd: "send", ...request(t), to, amount }),
        async stop() {
            child.stdin!.end();
            await child;
        },
    };
}
