/**
 * Bitcoin and Lightning RPC ports: whoever reaches one can spend (lnd) or at least read
 * and steer the node (bitcoind, btcd). They stay on a tier's overlay network.
 */
export const rpcPorts: ReadonlyMap<number, string> = new Map([
    [8332, "Bitcoin mainnet RPC"],
    [18332, "Bitcoin testnet3 RPC"],
    [48332, "Bitcoin testnet4 RPC"],
    [38332, "Bitcoin signet RPC"],
    [18443, "Bitcoin regtest RPC"],
    [10009, "lnd gRPC"],
    [8080, "lnd REST"],
    [8334, "btcd mainnet RPC"],
    [18334, "btcd testnet RPC"],
]);

/**
 * Ports that are RPC on the container side too. 8080 is lnd's REST port but also every
 * other web server's default, so inside a container it proves nothing; published on the
 * host it is refused all the same.
 */
export function isRpcTargetPort(port: number): boolean {
    return rpcPorts.has(port) && port !== 8080;
}
