// A cluster's endpoints as the `bcm cluster` commands and the cluster program
// (stacks/cluster) exchange them: the stack config `bcm:endpoints`. Pure functions, so the
// CLI refuses a bad spec before any engine starts and the program refuses it again up front.

import { configKeyProblem } from "../../policy/lib/lxdSideDoors";
import { nearest, unknownKeyMessage } from "./nearest";

/** One endpoint of a cluster, as stored in the stack config `bcm:endpoints`. */
export interface EndpointSpec {
    /** The endpoint's name in the cluster (a host name). */
    name: string;
    /** "local": this machine's LXD over its unix socket; "ssh": a host bootstrapped over SSH. */
    mode: "local" | "ssh";
    /** local: the daemon's unix socket (default /var/lib/lxd/unix.socket). */
    socketPath?: string;
    /** ssh: the host's address or name. */
    host?: string;
    /** ssh: the SSH port (default 22). */
    port?: number;
    /** ssh: the SSH user (default root). */
    user?: string;
    /** ssh: the address LXD listens on for HTTPS (default the host). */
    address?: string;
    /** ssh: the HTTPS port (default 8443). */
    httpsPort?: number;
    /** ssh: a private key file (default: the ssh-agent of SSH_AUTH_SOCK). */
    sshKeyPath?: string;
    /** ssh (required): the host's SSH public key, pinned: no other key is accepted. */
    hostKey?: string;
    /** ssh: the controller's client certificate (PEM file), trusted on the host. */
    clientCertificatePath?: string;
    /** ssh: its private key (PEM file). */
    clientKeyPath?: string;
    /**
     * ssh: LXD_DIR of the daemon on the host (default /var/lib/lxd, Debian's package;
     * /var/snap/lxd/common/lxd for the snap; another directory for a second daemon).
     */
    lxdDir?: string;
    /**
     * ssh: the host's bridge (default: lxdbr0, a subnet LXD picks, NAT on). Across several
     * endpoints the tier containers must reach each other's bridge addresses (swarm
     * 2377/tcp, 7946/tcp+udp, 4789/udp, and the registry on gateway-01): give each host a
     * fixed subnet that does not overlap the others and route those subnets between the
     * hosts (components/cluster/README.md, "Several endpoints").
     */
    bridge?: EndpointBridgeSpec;
    /**
     * Extra config for this endpoint's `bcm-docker` profile, over dockerHostProfileConfig().
     * Only through `--file`; raw.*, security.privileged and security.idmap.isolated=false are refused here and by the policy pack.
     */
    profileConfig?: Record<string, string>;
}

/** The bridge of an `ssh` endpoint (LxdEndpoint's `bridge`). */
export interface EndpointBridgeSpec {
    /** Network and interface name (default lxdbr0). */
    name?: string;
    /** The bridge's own address with its prefix, e.g. "10.78.0.1/24", or "auto" (the default). */
    ipv4Address?: string;
    /** NAT for the bridge's subnet (default true). */
    ipv4Nat?: boolean;
}

/** A spec that cannot be used; the message names the key and the fix. */
export class SpecError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SpecError";
    }
}

const hostNamePattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A host name, IPv4 address or bracket-less IPv6 address. */
const hostPattern = /^([A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/;
const userPattern = /^[a-z_][a-z0-9_-]{0,31}$/;

/** Checks a cluster (stack) name: lower-case letters, digits and dashes. */
export function checkClusterName(name: string): string {
    if (!hostNamePattern.test(name)) {
        throw new SpecError(`cluster name "${name}": use lower-case letters, digits and dashes (at most 63, not starting or ending with a dash)`);
    }
    return name;
}

/**
 * Parses `user@host[:port]` (also `host`, `host:port`, `user@[v6addr]:port`) into its parts.
 * The user defaults to root and the port to 22.
 */
export function parseSshTarget(target: string): { user: string; host: string; port: number } {
    const fail = (why: string): never => {
        throw new SpecError(`--ssh "${target}": ${why}; give user@host or user@host:port, e.g. root@192.168.1.20:22`);
    };
    const at = target.lastIndexOf("@");
    const user = at >= 0 ? target.slice(0, at) : "root";
    const rest = at >= 0 ? target.slice(at + 1) : target;
    if (!userPattern.test(user)) fail(`user "${user}" is not a user name`);
    let host: string;
    let portText: string | undefined;
    if (rest.startsWith("[")) {
        const close = rest.indexOf("]");
        if (close < 0) fail("an IPv6 address needs its closing ]");
        host = rest.slice(1, close);
        const after = rest.slice(close + 1);
        if (after !== "" && !after.startsWith(":")) fail(`unexpected "${after}" after the address`);
        portText = after === "" ? undefined : after.slice(1);
        if (!host.includes(":")) fail(`"[${host}]" is not an IPv6 address`);
    } else {
        const colon = rest.lastIndexOf(":");
        host = colon >= 0 ? rest.slice(0, colon) : rest;
        portText = colon >= 0 ? rest.slice(colon + 1) : undefined;
        if (host.includes(":")) fail("write an IPv6 address in brackets, user@[addr]:port");
    }
    if (host === "" || !hostPattern.test(host)) fail(`host "${host}" is not a host name or address`);
    let port = 22;
    if (portText !== undefined) {
        if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
            fail(`port "${portText}" must be a number from 1 to 65535`);
        }
        port = Number(portText);
    }
    return { user, host, port };
}

/** The endpoint name of an SSH host: its host name's first label, or the address with dashes. */
export function endpointNameForHost(host: string): string {
    const base = /^[0-9.]+$/.test(host) || host.includes(":") ? host.replace(/[.:]+/g, "-") : host.split(".")[0];
    const name = base.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
    return name === "" ? "host" : name;
}

const knownKeys = new Set([
    "name",
    "mode",
    "socketPath",
    "host",
    "port",
    "user",
    "address",
    "httpsPort",
    "sshKeyPath",
    "hostKey",
    "clientCertificatePath",
    "clientKeyPath",
    "lxdDir",
    "bridge",
    "profileConfig",
]);

/**
 * Validates `bcm:endpoints` (parsed JSON): a non-empty list of endpoint objects with unique
 * host-name names, mode local or ssh, and the fields each mode needs. Throws one SpecError
 * naming every problem by its key (`bcm:endpoints[1].host`) with the fix.
 */
export function validateEndpoints(raw: unknown, key = "bcm:endpoints"): EndpointSpec[] {
    const problems: string[] = [];
    if (!Array.isArray(raw)) {
        throw new SpecError(`${key}: must be a list of endpoints, e.g. [{"name":"local","mode":"local"}]`);
    }
    if (raw.length === 0) {
        throw new SpecError(`${key}: is empty; give at least one endpoint, e.g. [{"name":"local","mode":"local"}]`);
    }
    const seen = new Map<string, number>();
    const out: EndpointSpec[] = [];
    raw.forEach((item: unknown, i) => {
        const at = `${key}[${i}]`;
        if (typeof item !== "object" || item === null || Array.isArray(item)) {
            problems.push(`${at}: must be an object with at least "name" and "mode"`);
            return;
        }
        const e = item as Record<string, unknown>;
        for (const k of Object.keys(e)) {
            if (!knownKeys.has(k)) {
                const near = nearest(k, [...knownKeys]);
                problems.push(`${at}.${k}: unknown key; remove it (${near !== undefined ? `did you mean ${near}?` : `known: ${[...knownKeys].join(", ")}`})`);
            }
        }
        const str = (k: string, required: boolean): string | undefined => {
            const v = e[k];
            if (v === undefined) {
                if (required) problems.push(`${at}.${k}: missing; set it`);
                return undefined;
            }
            if (typeof v !== "string" || v === "") {
                problems.push(`${at}.${k}: must be a non-empty string`);
                return undefined;
            }
            return v;
        };
        const port = (k: string): number | undefined => {
            const v = e[k];
            if (v === undefined) return undefined;
            if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 65535) {
                problems.push(`${at}.${k}: must be a whole number from 1 to 65535`);
                return undefined;
            }
            return v;
        };
        const name = str("name", true);
        if (name !== undefined) {
            if (!hostNamePattern.test(name)) {
                problems.push(`${at}.name: "${name}" must be lower-case letters, digits and dashes (a host name)`);
            } else if (seen.has(name)) {
                problems.push(`${at}.name: "${name}" is also ${key}[${seen.get(name)}]; endpoint names must be unique`);
            } else {
                seen.set(name, i);
            }
        }
        const mode = e.mode;
        if (mode !== "local" && mode !== "ssh") {
            problems.push(`${at}.mode: must be "local" or "ssh", got ${JSON.stringify(mode)}`);
        }
        const spec: EndpointSpec = { name: name ?? "", mode: mode === "ssh" ? "ssh" : "local" };
        const set = <K extends keyof EndpointSpec>(k: K, v: EndpointSpec[K] | undefined): void => {
            if (v !== undefined) spec[k] = v;
        };
        set("socketPath", str("socketPath", false));
        set("host", str("host", mode === "ssh"));
        set("port", port("port"));
        set("user", str("user", false));
        set("address", str("address", false));
        set("httpsPort", port("httpsPort"));
        set("sshKeyPath", str("sshKeyPath", false));
        // An SSH host is only ever reached with its key pinned: the LXD certificate pinned after
        // the bootstrap is learned over that session, so it is only as good as this key.
        if (mode === "ssh" && e.hostKey === undefined) {
            problems.push(`${at}.hostKey: missing; pin the host's SSH key: \`bcm cluster create --ssh … --host-key "ssh-ed25519 AAAA…"\`, or put the host in ~/.ssh/known_hosts`);
        }
        const hostKey = str("hostKey", false);
        if (hostKey !== undefined && !/^(\S+ )?(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/.test(hostKey.trim())) {
            problems.push(`${at}.hostKey: is not an SSH public key ("ssh-ed25519 AAAA…", as in known_hosts or a host's /etc/ssh/ssh_host_*_key.pub)`);
        } else {
            set("hostKey", hostKey);
        }
        set("clientCertificatePath", str("clientCertificatePath", mode === "ssh"));
        set("clientKeyPath", str("clientKeyPath", mode === "ssh"));
        const lxdDir = str("lxdDir", false);
        if (lxdDir !== undefined && !/^\/[^\s'"\\$`]*$/.test(lxdDir)) {
            problems.push(`${at}.lxdDir: "${lxdDir}" must be an absolute path without spaces, quotes or $`);
        } else {
            set("lxdDir", lxdDir);
        }
        if (e.bridge !== undefined) {
            const b = e.bridge as Record<string, unknown>;
            if (typeof b !== "object" || b === null || Array.isArray(b)) {
                problems.push(`${at}.bridge: must be an object with optional name, ipv4Address and ipv4Nat`);
            } else {
                const bridge: EndpointBridgeSpec = {};
                for (const [k, v] of Object.entries(b)) {
                    if (k === "name" && typeof v === "string" && /^[A-Za-z][A-Za-z0-9_-]{0,14}$/.test(v)) bridge.name = v;
                    else if (k === "ipv4Address" && typeof v === "string" && (v === "auto" || /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(v))) bridge.ipv4Address = v;
                    else if (k === "ipv4Nat" && typeof v === "boolean") bridge.ipv4Nat = v;
                    else if (k === "name") problems.push(`${at}.bridge.name: must be a letter then letters, digits, '-' or '_', at most 15 characters`);
                    else if (k === "ipv4Address") problems.push(`${at}.bridge.ipv4Address: must be "auto" or the bridge's own address with a prefix, like "10.78.0.1/24"`);
                    else if (k === "ipv4Nat") problems.push(`${at}.bridge.ipv4Nat: must be true or false`);
                    else problems.push(`${at}.bridge.${k}: unknown key; use name, ipv4Address or ipv4Nat`);
                }
                spec.bridge = bridge;
            }
        }
        if (spec.host !== undefined && !hostPattern.test(spec.host)) {
            problems.push(`${at}.host: "${spec.host}" is not a host name or address`);
        }
        if (spec.user !== undefined && !userPattern.test(spec.user)) {
            problems.push(`${at}.user: "${spec.user}" is not a user name`);
        }
        if (mode === "local") {
            for (const k of ["host", "port", "user", "address", "httpsPort", "sshKeyPath", "hostKey", "clientCertificatePath", "clientKeyPath", "lxdDir", "bridge"]) {
                if (e[k] !== undefined) problems.push(`${at}.${k}: only for mode "ssh"; remove it or set mode "ssh"`);
            }
        }
        if (e.profileConfig !== undefined) {
            const pc = e.profileConfig;
            if (typeof pc !== "object" || pc === null || Array.isArray(pc) || !Object.values(pc).every((v) => typeof v === "string")) {
                problems.push(`${at}.profileConfig: must be an object of LXD config keys to string values`);
            } else {
                const config = pc as Record<string, string>;
                const unsafe = Object.entries(config).flatMap(([k, v]) => {
                    const found = configKeyProblem(k, v);
                    return found ? [`${at}.profileConfig["${k}"]: ${found.problem}; ${found.fix}`] : [];
                });
                problems.push(...unsafe);
                if (unsafe.length === 0) spec.profileConfig = { ...config };
            }
        }
        out.push(spec);
    });
    if (problems.length > 0) throw new SpecError(problems.join("; "));
    return out;
}

/** The images every endpoint imports: `bcm:images`, name → split-image paths. */
export interface ImageSpec {
    metadataPath: string;
    rootfsPath: string;
}

export const imageNames = ["bcm-base", "bcm-template"] as const;

/** Validates `bcm:images`: both images, each with its two tarball paths. */
export function validateImages(raw: unknown, key = "bcm:images"): Record<(typeof imageNames)[number], ImageSpec> {
    const fix = "run `bash images/build.sh bcm-base bcm-template` and let `bcm cluster create` set it";
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new SpecError(`${key}: must be an object {"bcm-base": {metadataPath, rootfsPath}, "bcm-template": {...}}; ${fix}`);
    }
    const r = raw as Record<string, unknown>;
    const problems: string[] = [];
    for (const k of Object.keys(r)) {
        if (!(imageNames as readonly string[]).includes(k)) problems.push(unknownKeyMessage(`${key}.${k}`, k, imageNames));
        else {
            const v = r[k];
            for (const f of typeof v === "object" && v !== null ? Object.keys(v) : []) {
                if (f !== "metadataPath" && f !== "rootfsPath") problems.push(unknownKeyMessage(`${key}.${k}.${f}`, f, ["metadataPath", "rootfsPath"]));
            }
        }
    }
    const out = {} as Record<(typeof imageNames)[number], ImageSpec>;
    for (const n of imageNames) {
        const v = r[n] as Record<string, unknown> | undefined;
        if (typeof v !== "object" || v === null || typeof v.metadataPath !== "string" || typeof v.rootfsPath !== "string") {
            problems.push(`${key}.${n}: missing or without metadataPath and rootfsPath`);
            continue;
        }
        out[n] = { metadataPath: v.metadataPath, rootfsPath: v.rootfsPath };
    }
    if (problems.length > 0) throw new SpecError(`${problems.join("; ")}; ${fix}`);
    return out;
}
