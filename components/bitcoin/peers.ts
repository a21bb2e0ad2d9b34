// `bcm:bitcoin.peers`: full nodes the data center's node always connects to (a trusted node of
// the user's elsewhere, or a test's own), each `host[:port]` with host a v3 onion address, an
// IPv4 address or a DNS name. Every connection goes through the gateway's Tor like any other
// (btcd `addpeer=`, bitcoind `addnode=`): an onion stays inside Tor, anything else leaves by an exit.
// btcd on regtest is the exception (loopbackForwards below): the same peers, through the same Tor.
import { Chain, chainPorts } from "./chains";

const onion = /^[a-z2-7]{56}\.onion$/;
const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const dnsName = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Checks one peer (as written in the stack); the problem as one line naming the fix, or undefined. */
export function peerProblem(v: unknown, index: number): string | undefined {
    const fix = `write each peer as "host[:port]", host a v3 onion address (56 characters + .onion), an IPv4 address or a DNS name`;
    if (typeof v !== "string") return `bcm:bitcoin.peers[${index}]: ${JSON.stringify(v)} is not a string; ${fix}`;
    const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(v);
    const host = m?.[1]?.toLowerCase();
    const port = m?.[2] === undefined ? undefined : Number(m[2]);
    if (!host || !(onion.test(host) || ipv4.test(host) || (dnsName.test(host) && !host.endsWith(".onion")))) return `bcm:bitcoin.peers[${index}]: ${JSON.stringify(v)} is not a peer; ${fix}`;
    if (port !== undefined && (port < 1 || port > 65535)) return `bcm:bitcoin.peers[${index}]: port ${port} is out of range (1-65535); ${fix}`;
    return undefined;
}

/** A checked peer as `host:port`, the chain's P2P port when none is given (lower-case host). */
export function peerAddress(peer: string, chain: Chain): string {
    const [host, port] = peer.toLowerCase().split(":");
    return `${host}:${port ?? chainPorts("btcd", chain).p2p}`;
}

/**
 * btcd on regtest takes blocks only from a peer at 127.0.0.1 or localhost (btcd's
 * netsync isSyncCandidate; on the other chains any full node will do). So there each peer is
 * given a loopback port in the node's task, from this one up, forwarded through Tor.
 */
export const regtestForwardBase = 18500;

/** A loopback port in btcd's task that reaches one peer through Tor. */
export interface LoopbackForward {
    /** The loopback port btcd connects to. */
    port: number;
    /** The peer, `host:port`, dialled through Tor's SOCKS. */
    peer: string;
}

/** The loopback forwards btcd on regtest connects through (none on the other chains: btcd dials its peers through Tor itself). */
export function loopbackForwards(peers: readonly string[], chain: Chain): LoopbackForward[] {
    if (chain !== "regtest") return [];
    return peers.map((p, i) => ({ port: regtestForwardBase + i, peer: peerAddress(p, chain) }));
}

/**
 * The task's shell: each forward a socat that dials its peer through Tor's SOCKS (SOCKS4A,
 * so the onion name goes to Tor unresolved), restarted if it ends; then btcd in its place.
 */
export function forwardingCommand(forwards: readonly LoopbackForward[], torSocks: string, btcd: readonly string[]): string[] {
    const [socksHost, socksPort] = torSocks.split(":");
    const loops = forwards.map((f) => {
        const [host, port] = f.peer.split(":");
        return `while :; do socat TCP-LISTEN:${f.port},bind=127.0.0.1,fork,reuseaddr SOCKS4A:${socksHost}:${host}:${port},socksport=${socksPort}; sleep 1; done &`;
    });
    return ["sh", "-c", [...loops, `exec ${btcd.join(" ")}`].join("\n")];
}
