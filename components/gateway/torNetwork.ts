import { renderTorrc, OnionServiceConfig } from "../tor/torrc";

/**
 * Which Tor network the gateway joins. There is no default: a data center that silently went
 * online, or silently stayed offline, would surprise its owner either way.
 */
export type TorNetworkSettings =
    /** The real Tor network. */
    | { network: "public" }
    /** Tor runs but makes no connection (DisableNetwork 1): for trying BCM out without touching the network. */
    | { network: "offline" }
    /** A private Tor network (TestingTorNetwork), given by its directory authorities' `DirAuthority` lines. */
    | { network: "private"; dirAuthorities: string[] };

/** Validates `bcm:tor`; errors name the key and the fix. */
export function validateTorSettings(raw: unknown, key = "bcm:tor"): TorNetworkSettings {
    const fix = `set ${key} to {"network":"public"}, {"network":"offline"} or {"network":"private","dirAuthorities":["DirAuthority ..."]}`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${key}: must be an object; ${fix}`);
    const r = raw as Record<string, unknown>;
    const allowed = r.network === "private" ? ["network", "dirAuthorities"] : ["network"];
    for (const k of Object.keys(r)) {
        if (!allowed.includes(k)) {
            throw new Error(`${key}.${k}: unknown key${k === "dirAuthorities" ? ' (only for "network":"private")' : ""}; use ${allowed.join(" and ")}`);
        }
    }
    if (r.network === "public" || r.network === "offline") return { network: r.network };
    if (r.network !== "private") throw new Error(`${key}.network: ${JSON.stringify(r.network)} is not public, offline or private; ${fix}`);
    const auth = r.dirAuthorities;
    if (!Array.isArray(auth) || auth.length === 0) throw new Error(`${key}.dirAuthorities: a private network needs its DirAuthority lines; ${fix}`);
    auth.forEach((line, i) => {
        if (typeof line !== "string" || !/^(DirAuthority\s+)?\S+ .*\d{1,3}(\.\d{1,3}){3}:\d+ [0-9A-F ]{40,}$/.test(line)) {
            throw new Error(`${key}.dirAuthorities[${i}]: ${JSON.stringify(line)} is not a DirAuthority line (nickname orport=… v3ident=… ip:dirport fingerprint)`);
        }
    });
    return { network: "private", dirAuthorities: (auth as string[]).map((l) => l.replace(/^DirAuthority\s+/, "")) };
}

/** The gateway's torrc: SOCKS and DNS for the data center, its onion services, and its network. */
export function gatewayTorrc(settings: TorNetworkSettings, onionServices: OnionServiceConfig[]): string {
    return renderTorrc({
        dataDirectory: "/var/lib/tor",
        socksListen: "0.0.0.0:9050",
        dnsListen: "0.0.0.0:9053",
        onionServices,
        disableNetwork: settings.network === "offline",
        testNetworkAuthorities: settings.network === "private" ? settings.dirAuthorities : undefined,
    });
}
