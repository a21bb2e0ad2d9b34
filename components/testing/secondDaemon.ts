import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../engine/paths";

const script = path.join(repoRoot, "scripts", "host", "lxd-second-daemon.sh");

/** A second LXD daemon on this machine (scripts/host/lxd-second-daemon.sh), as `status` reports it. */
export interface SecondDaemon {
    name: string;
    lxdDir: string;
    netns: string;
    /** The daemon's address inside its namespace. */
    address: string;
    /** The host's end of the veth pair. */
    hostAddress: string;
    /** `https://address:8443`. */
    url: string;
    /** SHA-256 of its server certificate. */
    fingerprint: string;
    /** The sshd in its namespace, when started with authorized keys. */
    ssh?: { host: string; port: number; hostKey: string };
}

export interface StartOptions {
    name: string;
    /** Inside the namespace, with prefix: `10.77.0.2/24`. */
    address: string;
    /** The daemon's lxdbr0: `10.78.0.1/24`. */
    bridgeAddress: string;
    /** An authorized_keys file: also start sshd in the namespace. */
    sshAuthorizedKeys?: string;
    sshPort?: number;
}

/** `key: value` lines. */
export function parseStatus(text: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of text.split("\n")) {
        const m = /^([a-z_]+): (.*)$/.exec(line);
        if (m) out[m[1]] = m[2];
    }
    return out;
}

function toDaemon(s: Record<string, string>): SecondDaemon {
    const daemon: SecondDaemon = {
        name: s.name,
        lxdDir: s.lxd_dir,
        netns: s.netns,
        address: s.address,
        hostAddress: s.host_address,
        url: s.url,
        fingerprint: s.fingerprint,
    };
    if (s.ssh) {
        const [host, port] = s.ssh.split(":");
        daemon.ssh = { host, port: Number(port), hostKey: s.ssh_host_key };
    }
    return daemon;
}

/** Runs the script; throws with its output when it fails. */
export function runScript(args: string[]): { status: number; stdout: string; stderr: string } {
    const r = spawnSync("bash", [script, ...args], { encoding: "utf8", timeout: 5 * 60 * 1000 });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts (or finds) the daemon. */
export function startSecondDaemon(o: StartOptions): SecondDaemon {
    const args = ["start", "--name", o.name, "--address", o.address, "--bridge-address", o.bridgeAddress];
    if (o.sshAuthorizedKeys) args.push("--ssh-authorized-keys", o.sshAuthorizedKeys, "--ssh-port", String(o.sshPort ?? 2222));
    const r = runScript(args);
    if (r.status !== 0) {
        throw new Error(`lxd-second-daemon.sh start failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    return toDaemon(parseStatus(r.stdout));
}

/**
 * Routes between the host daemon's bridge and the daemon's bridge (`lxd-second-daemon.sh
 * routes`), as between two machines whose bridge subnets are routed on their LAN; returns
 * the routes it printed. `remove` deletes them again.
 */
export function routeSecondDaemon(name: string, opts: { to?: string[]; remove?: boolean } = {}): string {
    const args = ["routes", "--name", name, ...(opts.to ?? []).flatMap((t) => ["--to", t]), ...(opts.remove ? ["--remove"] : [])];
    const r = runScript(args);
    if (r.status !== 0) {
        throw new Error(`lxd-second-daemon.sh routes failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    return r.stdout;
}

/** The running daemon, or undefined. */
export function secondDaemonStatus(name: string): SecondDaemon | undefined {
    const r = runScript(["status", "--name", name]);
    return r.status === 0 ? toDaemon(parseStatus(r.stdout)) : undefined;
}

/** Stops it and removes everything it had; never throws (it runs after failed tests), returns the output. */
export function stopSecondDaemon(name: string): string {
    const r = runScript(["stop", "--name", name]);
    return `${r.stdout}${r.stderr}${r.status === 0 ? "" : `(exit ${r.status})`}`;
}

/** A GET on a daemon's unix socket with `lxc query` (LXD_DIR picks the daemon; undefined: the host's own). */
export function lxcQuery<T>(lxdDir: string | undefined, apiPath: string): T {
    const env = { ...process.env };
    if (lxdDir) env.LXD_DIR = lxdDir;
    else delete env.LXD_DIR;
    return JSON.parse(execFileSync("lxc", ["query", apiPath], { encoding: "utf8", env })) as T;
}

/** What a test may leave behind on a daemon: instance, profile, managed network and image names, trusted certificates. */
export interface DaemonObjects {
    instances: string[];
    profiles: string[];
    networks: string[];
    images: string[];
    certificates: string[];
}

const last = (p: string) => decodeURIComponent(p.split("?")[0].split("/").pop()!);

export function daemonObjects(lxdDir?: string): DaemonObjects {
    return {
        instances: lxcQuery<string[]>(lxdDir, "/1.0/instances").map(last).sort(),
        profiles: lxcQuery<string[]>(lxdDir, "/1.0/profiles").map(last).sort(),
        networks: lxcQuery<{ name: string; managed: boolean }[]>(lxdDir, "/1.0/networks?recursion=1")
            .filter((n) => n.managed)
            .map((n) => n.name)
            .sort(),
        images: lxcQuery<string[]>(lxdDir, "/1.0/images").map(last).sort(),
        certificates: lxcQuery<{ name: string; fingerprint: string }[]>(lxdDir, "/1.0/certificates?recursion=1")
            .map((c) => `${c.name} ${c.fingerprint.slice(0, 12)}`)
            .sort(),
    };
}

/**
 * What the script may touch on the host, for a before/after comparison: network
 * namespaces, its veth devices, mounts, directories and processes that name its
 * directories, and loop devices. (Other people's containers come and go on this host, so
 * the comparison is limited to what carries the script's names.)
 */
export function hostSnapshot(): Record<string, string[]> {
    const sh = (cmd: string) => execFileSync("bash", ["-c", cmd], { encoding: "utf8" }).split("\n").filter(Boolean).sort();
    return {
        netns: sh("ip netns list | awk '{print $1}' | grep '^bcm-lxd-' || true"),
        links: sh("ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^bcmlxd-' || true"),
        mounts: sh("findmnt -rn -o TARGET | grep -E '^(/var/lib|/run)/bcm-lxd-' || true"),
        dirs: sh("ls -d /var/lib/bcm-lxd-* /run/bcm-lxd-* 2>/dev/null || true"),
        processes: sh("ps -eo args | grep -E '(/var/lib|/run)/bcm-lxd-' | grep -v grep || true"),
        loops: sh("losetup -a 2>/dev/null | grep bcm-lxd- || true"),
        addresses: sh("ip -o -4 addr | awk '{print $2, $4}' | grep -E ' 10\\.7[78]\\.' || true"),
    };
}

/** An authorized_keys file and the private key, made with ssh-keygen. */
export function makeSshKey(dir: string): { privateKeyPath: string; publicKeyPath: string } {
    const privateKeyPath = path.join(dir, "id_ed25519");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "bcm-cluster-test", "-f", privateKeyPath]);
    fs.chmodSync(privateKeyPath, 0o600);
    return { privateKeyPath, publicKeyPath: `${privateKeyPath}.pub` };
}
