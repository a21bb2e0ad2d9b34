// Per chain: the ports each implementation listens on, as their own defaults have them, so a
// user's tools find them where the upstream documentation says.

/** The chains a data center runs (`bcm:chain`); one chain per cluster stack. */
export const chains = ["regtest", "signet", "testnet", "mainnet"] as const;
export type Chain = (typeof chains)[number];

/** The full node: btcd (from the Go module proxy) or Bitcoin Core's bitcoind (from a verified release). */
export const implementations = ["btcd", "bitcoind"] as const;
export type Implementation = (typeof implementations)[number];

export interface ChainPorts {
    /** The node's peer-to-peer port. */
    p2p: number;
    /** The node's RPC port (never published; reachable on the tier's overlay and, with a client key, by onion). */
    rpc: number;
}

const p2p: Record<Chain, number> = { mainnet: 8333, testnet: 18333, signet: 38333, regtest: 18444 };
const rpc: Record<Implementation, Record<Chain, number>> = {
    btcd: { mainnet: 8334, testnet: 18334, signet: 38332, regtest: 18334 },
    bitcoind: { mainnet: 8332, testnet: 18332, signet: 38332, regtest: 18443 },
};

export function chainPorts(implementation: Implementation, chain: Chain): ChainPorts {
    return { p2p: p2p[chain], rpc: rpc[implementation][chain] };
}

/** lnd's ports: peers, gRPC and REST. */
export const lndPorts = { peer: 9735, grpc: 10009, rest: 8080 } as const;

/** bitcoind's ZeroMQ publishers, which lnd follows. */
export const zmqPorts = { rawblock: 28332, rawtx: 28333 } as const;

/** The swarm service names for a chain: also their DNS names on the tier's overlay. */
export function serviceNames(implementation: Implementation, chain: Chain) {
    return { node: `${implementation}-${chain}`, lnd: `lnd-${chain}` };
}

/** btcd's and lncli's name for the chain (btcd calls testnet3 "testnet"). */
export function networkFlag(chain: Chain): string {
    return chain === "mainnet" ? "mainnet" : chain;
}
