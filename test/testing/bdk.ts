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

/** What a BDK run needs: the wallet's descriptors (private: they go on stdin), the server, the SOCKS proxy it goes through. */
export interface BdkTarget {
    descriptor: string;
    changeDescriptor: string;
    /** `tcp://<onion>:<port>`. */
    url: string;
    /** `host:port` of a Tor client's SOCKS. */
    socks5: string;
}

/** Runs bdkWallet.py once; resolves its JSON, or rejects with its one-line error. */
export async function runBdk<T>(python: string, target: BdkTarget, request: { cmd: "sync" } | { cmd: "send"; to: string; amount: number; feerate?: number }): Promise<T> {
    const input = JSON.stringify({ ...request, descriptor: target.descriptor, change_descriptor: target.changeDescriptor, url: target.url, socks5: target.socks5 });
    const r = await execa(python, [path.join(__dirname, "bdkWallet.py")], { input, reject: false, timeout: 5 * 60_000 });
    let out: (T & { error?: string }) | undefined;
    try {
        out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "");
    } catch {
        out = undefined;
    }
    if (r.exitCode !== 0 || !out || out.error) throw new Error(`BDK ${request.cmd}: ${out?.error ?? (r.stderr.trim() || r.stdout.trim() || `exit ${r.exitCode}`)}`);
    return out;
}

/** Syncs a wallet from the server. */
export const bdkSync = (python: string, target: BdkTarget) => runBdk<BdkState>(python, target, { cmd: "sync" });

/** Builds, signs and broadcasts a payment through the server. */
export const bdkSend = (python: string, target: BdkTarget, to: string, amount: number) => runBdk<{ txid: string; fee: number }>(python, target, { cmd: "send", to, amount });
