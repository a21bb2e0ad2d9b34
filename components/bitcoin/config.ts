// The nodes' configuration files, rendered from plain values (tested without an engine).
// Every file goes into a Swarm secret: they hold the RPC credentials.
import { Chain, chainPorts, Implementation, lndPorts, networkFlag, serviceNames, zmqPorts } from "./chains";
import { forwardingCommand, loopbackForwards } from "./peers";

/** Where things are inside the node containers. */
export const paths = {
    btcdData: "/var/lib/btcd",
    bitcoindData: "/var/lib/bitcoind",
    lndDir: "/var/lib/lnd",
    secrets: "/run/secrets",
} as const;

export interface RpcCredentials {
    user: string;
    password: string;
}

export interface NodeSettings {
    chain: Chain;
    rpc: RpcCredentials;
    /** `host:port` of the gateway's Tor SOCKS on the tier's overlay: every peer connection goes through it. */
    torSocks: string;
    /** The node's P2P onion address (without port), announced to peers; none while Tor is offline. */
    onion?: string;
    /** regtest: the address `generate` pays to. */
    miningAddress?: string;
    /** bitcoind: keep only this many MiB of blocks (`prune=`; Bitcoin Core refuses it with txindex, so there is none then). */
    prune?: number;
    /** Nodes always connected to (`host:port`, checked by components/bitcoin/peers.ts), through Tor. */
    peers?: string[];
}

const credential = /^[A-Za-z0-9._~+/=-]{1,200}$/;

function checkCredentials(rpc: RpcCredentials): void {
    // A newline or '#' would end the value early in these line-based formats.
    if (!credential.test(rpc.user)) throw new Error("rpc user: use letters, digits and ._~+/=- (1-200 characters)");
    if (!credential.test(rpc.password)) throw new Error("rpc password: use letters, digits and ._~+/=- (1-200 characters)");
}

const lines = (entries: (string | false | undefined)[]) => entries.filter((e): e is string => typeof e === "string").join("\n") + "\n";

/** btcd.conf: RPC on the overlay with TLS, peers only through Tor, chain data on the kept volume. */
export function btcdConf(s: NodeSettings): string {
    checkCredentials(s.rpc);
    const ports = chainPorts("btcd", s.chain);
    if (s.chain === "regtest" && !s.miningAddress) throw new Error("btcd on regtest needs miningAddress: `generate` pays to it");
    const forwards = loopbackForwards(s.peers ?? [], s.chain);
    return lines([
        "[Application Options]",
        s.chain !== "mainnet" && `${networkFlag(s.chain)}=1`,
        `datadir=${paths.btcdData}/data`,
        `logdir=${paths.btcdData}/logs`,
        `rpcuser=${s.rpc.user}`,
        `rpcpass=${s.rpc.password}`,
        `rpclisten=0.0.0.0:${ports.rpc}`,
        `rpccert=${paths.secrets}/btcd-rpc.cert`,
        `rpckey=${paths.secrets}/btcd-rpc.key`,
        `listen=0.0.0.0:${ports.p2p}`,
        ...(forwards.length > 0
            ? // Only the loopback forwards, which reach the peers through Tor (a proxy would be asked for 127.0.0.1 too).
              forwards.map((f) => `connect=127.0.0.1:${f.port}`)
            : // Every outbound connection, onion or not, through Tor; DNS seeds are asked through it too.
              [`proxy=${s.torSocks}`, ...(s.peers ?? []).map((p) => `addpeer=${p}`)]),
        s.onion && `externalip=${s.onion}`,
        "txindex=1",
        s.chain === "regtest" && "nodnsseed=1",
        s.miningAddress && `miningaddr=${s.miningAddress}`,
    ]);
}

/**
 * The node task's command: the image's entrypoint given its configuration file; for btcd on
 * regtest with peers, a shell that starts the loopback forwards to them first (peers.ts).
 */
export function nodeCommand(implementation: Implementation, chain: Chain, peers: readonly string[], torSocks: string): { command?: string[]; args: string[] } {
    if (implementation === "bitcoind") return { args: [`-conf=${paths.secrets}/bitcoin.conf`] };
    const btcd = ["/usr/local/bin/btcd", `--configfile=${paths.secrets}/btcd.conf`];
    const forwards = loopbackForwards(peers, chain);
    return forwards.length === 0 ? { args: btcd.slice(1) } : { command: forwardingCommand(forwards, torSocks, btcd), args: [] };
}

/** btcctl.conf for health checks and operators inside the node's container. */
export function btcctlConf(s: Pick<NodeSettings, "chain" | "rpc">): string {
    checkCredentials(s.rpc);
    return lines([
        "[Application Options]",
        s.chain !== "mainnet" && `${networkFlag(s.chain)}=1`,
        `rpcuser=${s.rpc.user}`,
        `rpcpass=${s.rpc.password}`,
        `rpcserver=127.0.0.1:${chainPorts("btcd", s.chain).rpc}`,
        `rpccert=${paths.secrets}/btcd-rpc.cert`,
    ]);
}

/** bitcoin.conf for Bitcoin Core: the same rules (RPC on the overlay, peers through Tor), plus ZeroMQ for lnd. */
export function bitcoindConf(s: NodeSettings): string {
    checkCredentials(s.rpc);
    const ports = chainPorts("bitcoind", s.chain);
    const section = s.chain === "mainnet" ? undefined : s.chain === "testnet" ? "test" : s.chain;
    const network = s.chain === "mainnet" ? "main" : section!;
    return lines([
        `chain=${network}`,
        "server=1",
        s.prune === undefined ? "txindex=1" : `prune=${s.prune}`,
        `datadir=${paths.bitcoindData}`,
        "printtoconsole=1",
        `proxy=${s.torSocks}`,
        "onlynet=onion",
        s.chain === "regtest" && "dnsseed=0",
        `[${network}]`,
        ...(s.peers ?? []).map((p) => `addnode=${p}`),
        `rpcuser=${s.rpc.user}`,
        `rpcpassword=${s.rpc.password}`,
        // Reachable only on the tier's overlay (the service publishes nothing); the credentials guard it there.
        `rpcbind=0.0.0.0:${ports.rpc}`,
        "rpcallowip=0.0.0.0/0",
        `bind=0.0.0.0:${ports.p2p}`,
        s.onion && `externalip=${s.onion}`,
        `zmqpubrawblock=tcp://0.0.0.0:${zmqPorts.rawblock}`,
        `zmqpubrawtx=tcp://0.0.0.0:${zmqPorts.rawtx}`,
    ]);
}

export interface LndSettings {
    chain: Chain;
    implementation: "btcd" | "bitcoind";
    /** The node's RPC credentials. */
    rpc: RpcCredentials;
    torSocks: string;
    /** The Lightning node's onion address (without port), announced to peers. */
    onion?: string;
    /** Its alias in the network graph. */
    alias: string;
}

/** lnd.conf: the node as backend, peers through Tor only; the wallet comes from the device on every chain (bcm-lnd-start). */
export function lndConf(s: LndSettings): string {
    checkCredentials(s.rpc);
    if (!/^[\x20-\x7e]{1,32}$/.test(s.alias) || s.alias.includes("#")) throw new Error("lnd alias: 1-32 printable ASCII characters without '#'");
    const names = serviceNames(s.implementation, s.chain);
    const ports = chainPorts(s.implementation, s.chain);
    return lines([
        "[Application Options]",
        `alias=${s.alias}`,
        `lnddir=${paths.lndDir}`,
        `listen=0.0.0.0:${lndPorts.peer}`,
        `rpclisten=0.0.0.0:${lndPorts.grpc}`,
        `restlisten=0.0.0.0:${lndPorts.rest}`,
        `tlsextradomain=${names.lnd}`,
        s.onion && `externalhosts=${s.onion}:${lndPorts.peer}`,
        // regtest has no peers to find (lnd would retry its DNS seeds forever).
        s.chain === "regtest" && "nobootstrap=1",
        "[Bitcoin]",
        `bitcoin.${s.chain}=1`,
        `bitcoin.node=${s.implementation}`,
        ...(s.implementation === "btcd"
            ? [
                  "[Btcd]",
                  `btcd.rpchost=${names.node}:${ports.rpc}`,
                  `btcd.rpcuser=${s.rpc.user}`,
                  `btcd.rpcpass=${s.rpc.password}`,
                  `btcd.rpccert=${paths.secrets}/btcd-rpc.cert`,
              ]
            : [
                  "[Bitcoind]",
                  `bitcoind.rpchost=${names.node}:${ports.rpc}`,
                  `bitcoind.rpcuser=${s.rpc.user}`,
                  `bitcoind.rpcpass=${s.rpc.password}`,
                  `bitcoind.zmqpubrawblock=tcp://${names.node}:${zmqPorts.rawblock}`,
                  `bitcoind.zmqpubrawtx=tcp://${names.node}:${zmqPorts.rawtx}`,
              ]),
        "[tor]",
        // Peers only through the gateway's Tor; lnd does not make onion services itself (the gateway's Tor does).
        "tor.active=1",
        `tor.socks=${s.torSocks}`,
        "tor.streamisolation=1",
    ]);
}
