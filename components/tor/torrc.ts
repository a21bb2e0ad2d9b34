/** One port of an onion service: what clients connect to, and where Tor forwards it. */
export interface OnionPort {
    /** The port clients use on the .onion address. */
    virtualPort: number;
    /** Where Tor forwards it: `host:port` (an overlay alias or address), or a unix socket `unix:/path`. */
    target: string;
}

/** An onion service the gateway publishes. */
export interface OnionServiceConfig {
    /** A name for the service: its directory is `<dataDirectory>/hs-<name>`. */
    name: string;
    /** Its ports. */
    ports: OnionPort[];
}

/** What a torrc says: the proxies the gateway offers, its onion services, and its network. */
export interface TorConfig {
    /** Tor's data directory (keys, state, onion service directories). */
    dataDirectory: string;
    /** SOCKS proxy listener, e.g. "0.0.0.0:9050"; omit for none. */
    socksListen?: string;
    /** DNS listener, e.g. "0.0.0.0:9053"; omit for none. */
    dnsListen?: string;
    /** Onion services to publish. */
    onionServices?: OnionServiceConfig[];
    /** Where client authorization keys for other services live (`<name>.auth_private` files). */
    clientOnionAuthDir?: string;
    /** `DisableNetwork 1`: build everything but make no connection at all (tests). */
    disableNetwork?: boolean;
    /**
     * A private test network instead of the public one: its directory authorities, one
     * `DirAuthority` line each (with or without the leading `DirAuthority`). The torrc then also
     * carries `testNetworkTorrcLines`, and Tor uses these authorities only.
     */
    testNetworkAuthorities?: string[];
    /** Where Tor logs notices (default stdout). */
    log?: string;
}

/**
 * What every client and onion service of a private test network needs besides its
 * `DirAuthority` lines: testing mode (private addresses allowed, fast downloads), no public
 * fallback directories, and enough tolerance for a network of a handful of relays.
 */
export const testNetworkTorrcLines: readonly string[] = ["TestingTorNetwork 1", "UseDefaultFallbackDirs 0", "PathsNeededToBuildCircuits 0.25"];

// nickname, flags (orport=, v3ident=, no-v2, ...), address:dirport, 40-hex fingerprint (maybe in groups of 4).
const dirAuthority = /^[A-Za-z0-9]{1,19}( [a-z0-9-]+(=\S+)?)* \d{1,3}(\.\d{1,3}){3}:\d{1,5} ([0-9A-F]{40}|[0-9A-F]{4}( [0-9A-F]{4}){9})$/;

const listen = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\]):(\d{1,5})$/i;
const target = /^(unix:\/\S+|[A-Za-z0-9.-]+:\d{1,5})$/;

/** Renders a torrc, checking every field first; errors name the field and the fix. */
export function renderTorrc(c: TorConfig): string {
    const lines: string[] = [];
    const fail = (field: string, problem: string): never => {
        throw new Error(`tor config ${field}: ${problem}`);
    };
    if (!c.dataDirectory.startsWith("/")) fail("dataDirectory", `"${c.dataDirectory}" must be an absolute path`);
    lines.push(`DataDirectory ${c.dataDirectory}`, `Log notice ${c.log ?? "stdout"}`);
    for (const [field, value, option] of [["socksListen", c.socksListen, "SocksPort"], ["dnsListen", c.dnsListen, "DNSPort"]] as const) {
        if (value === undefined) {
            lines.push(`${option} 0`);
            continue;
        }
        if (!listen.test(value)) fail(field, `"${value}" must be address:port, e.g. 0.0.0.0:9050`);
        lines.push(`${option} ${value}`);
    }
    if (c.clientOnionAuthDir) lines.push(`ClientOnionAuthDir ${c.clientOnionAuthDir}`);
    const names = new Set<string>();
    for (const [i, s] of (c.onionServices ?? []).entries()) {
        const field = `onionServices[${i}]`;
        if (!/^[a-z][a-z0-9-]{0,62}$/.test(s.name)) fail(`${field}.name`, `"${s.name}" must be lower-case letters, digits and dashes`);
        if (names.has(s.name)) fail(`${field}.name`, `"${s.name}" is used twice; give each service its own name`);
        names.add(s.name);
        if (s.ports.length === 0) fail(`${field}.ports`, "a service needs at least one port");
        // Tor creates only the last component of a service directory, so it sits right under
        // the data directory.
        lines.push(`HiddenServiceDir ${c.dataDirectory}/hs-${s.name}`, "HiddenServiceVersion 3");
        for (const [j, p] of s.ports.entries()) {
            if (!Number.isInteger(p.virtualPort) || p.virtualPort < 1 || p.virtualPort > 65535) {
                fail(`${field}.ports[${j}].virtualPort`, `${p.virtualPort} is not a port (1-65535)`);
            }
            if (!target.test(p.target)) fail(`${field}.ports[${j}].target`, `"${p.target}" must be host:port or unix:/path`);
            lines.push(`HiddenServicePort ${p.virtualPort} ${p.target}`);
        }
    }
    if (c.testNetworkAuthorities && c.testNetworkAuthorities.length > 0) {
        const authorities = c.testNetworkAuthorities.map((line, i) => {
            const a = line.replace(/^DirAuthority\s+/, "");
            if (!dirAuthority.test(a) || !/ v3ident=[0-9A-F]{40}( |$)/.test(a)) {
                fail(`testNetworkAuthorities[${i}]`, `${JSON.stringify(line)} must be a v3 DirAuthority line: <nickname> orport=<port> v3ident=<40 hex> <ip>:<dirport> <fingerprint>`);
            }
            return `DirAuthority ${a}`;
        });
        lines.push(...testNetworkTorrcLines, ...authorities);
    }
    if (c.disableNetwork) lines.push("DisableNetwork 1");
    return lines.join("\n") + "\n";
}
