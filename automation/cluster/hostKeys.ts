// Pinned SSH host keys for `bcm cluster create --ssh`: the key comes from `--host-key` or
// from known_hosts, and the host must offer exactly that key; an unknown or changed key is
// refused with the fingerprint the host offered, so the operator can check it out of band.
// The pure parts (known_hosts lookup, fingerprints, the decision) are tested directly.
import { createHash, createHmac } from "node:crypto";
import * as fs from "node:fs";
import { execa } from "execa";
import { SpecError } from "../../components/datacenter/spec";

/** A public key as `type base64`. */
export interface HostKey {
    type: string;
    key: string;
}

/** Parses `[marker] [hosts] type base64 [comment]` or `type base64 [comment]`; undefined when it is no key. */
export function parseKeyLine(line: string): HostKey | undefined {
    const words = line.trim().split(/\s+/);
    for (let i = 0; i + 1 < words.length; i++) {
        if (/^(ssh-|ecdsa-sha2-|sk-)/.test(words[i]) && /^[A-Za-z0-9+/]+={0,3}$/.test(words[i + 1])) return { type: words[i], key: words[i + 1] };
    }
    return undefined;
}

/** OpenSSH's SHA256 fingerprint: `SHA256:` and the unpadded base64 of the key blob's SHA-256. */
export function fingerprint(k: HostKey): string {
    return `SHA256:${createHash("sha256").update(Buffer.from(k.key, "base64")).digest("base64").replace(/=+$/, "")}`;
}

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
    return port === 22 ? host : `[${host}]:${port}`;
}

/** Whether one known_hosts host pattern (plain, `*`/`?` wildcards, or hashed `|1|salt|hash`) matches. */
function patternMatches(pattern: string, name: string): boolean {
    if (pattern.startsWith("|1|")) {
        const [, , salt, hash] = pattern.split("|");
        if (!salt || !hash) return false;
        return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
    }
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    return re.test(name);
}

/**
 * The keys known_hosts holds for a host (`@revoked` lines are returned apart: such a key is
 * never accepted). Negated patterns (`!host`) exclude a line.
 */
export function knownKeys(text: string, host: string, port: number): { keys: HostKey[]; revoked: HostKey[] } {
    const name = knownHostsName(host, port);
    const keys: HostKey[] = [];
    const revoked: HostKey[] = [];
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        const words = line.split(/\s+/);
        const marker = words[0].startsWith("@") ? words.shift() : undefined;
        if (marker === "@cert-authority") continue;
        const patterns = (words[0] ?? "").split(",");
        if (patterns.some((p) => p.startsWith("!") && patternMatches(p.slice(1), name))) continue;
        if (!patterns.some((p) => !p.startsWith("!") && patternMatches(p, name))) continue;
        const key = parseKeyLine(words.slice(1).join(" "));
        if (key) (marker === "@revoked" ? revoked : keys).push(key);
    }
    return { keys, revoked };
}

const same = (a: HostKey, b: HostKey) => a.type === b.type && a.key === b.key;
const describe = (ks: HostKey[]) => ks.map((k) => `${fingerprint(k)} (${k.type})`).join(", ");

/**
 * Decides which key to pin for `target` (user@host:port, for messages): one the host offered
 * that is also expected. Throws a one-line SpecError with the offered fingerprints otherwise.
 */
export function chooseHostKey(target: string, offered: HostKey[], expected: HostKey[], revoked: HostKey[], source: string): HostKey {
    if (offered.length === 0) throw new SpecError(`--ssh ${target}: the host offered no SSH host key (is sshd running there?)`);
    const bad = offered.filter((o) => revoked.some((r) => same(o, r)));
    if (bad.length > 0) throw new SpecError(`--ssh ${target}: the host offers a key ${source} marks @revoked: ${describe(bad)}; refusing it`);
    const match = offered.find((o) => expected.some((e) => same(o, e)));
    if (match) return match;
    if (expected.length === 0) {
        throw new SpecError(
            `--ssh ${target}: unknown host key: the host offers ${describe(offered)}; check that fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and pass it with --host-key "<type> <base64>" or add it to ${source}`,
        );
    }
    throw new SpecError(
        `--ssh ${target}: HOST KEY CHANGED: the host offers ${describe(offered)} but ${source} pins ${describe(expected)}; someone may be in the middle, or the host was reinstalled: check on the host before you replace the pinned key`,
    );
}

/** The keys a host offers (ssh-keyscan, OpenSSH's own), one per type. */
export async function scanHostKeys(host: string, port: number): Promise<HostKey[]> {
    const r = await execa("ssh-keyscan", ["-T", "10", "-p", String(port), host], { reject: false, stdin: "ignore" });
    return r.stdout
        .split("\n")
        .map((l) => parseKeyLine(l))
        .filter((k): k is HostKey => k !== undefined);
}

/** Where known_hosts is read from: `--known-hosts`, else ~/.ssh/known_hosts (missing means empty). */
function readKnownHosts(file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return "";
    }
}

/**
 * The pinned key (`type base64`) for an SSH host: the host's offered key that `given`
 * (`--host-key` or the endpoint's hostKey) or, without it, known_hosts names. Refuses an
 * unknown or changed key with the fingerprint the host offered.
 */
export async function pinHostKey(
    t: { user: string; host: string; port: number },
    given: string | undefined,
    knownHostsFile: string,
    scan: (host: string, port: number) => Promise<HostKey[]> = scanHostKeys,
): Promise<string> {
    const target = `${t.user}@${t.host}:${t.port}`;
    let expected: HostKey[];
    let revoked: HostKey[] = [];
    let source: string;
    const known = knownKeys(readKnownHosts(knownHostsFile), t.host, t.port);
    if (given !== undefined) {
        const k = parseKeyLine(given);
        if (!k) throw new SpecError(`--host-key "${given}": not an SSH public key; give "ssh-ed25519 AAAA…" as /etc/ssh/ssh_host_ed25519_key.pub on the host has it`);
        expected = [k];
        revoked = known.revoked;
        source = "--host-key";
    } else {
        expected = known.keys;
        revoked = known.revoked;
        source = knownHostsFile;
    }
    const chosen = chooseHostKey(target, await scan(t.host, t.port), expected, revoked, source);
    return `${chosen.type} ${chosen.key}`;
}
