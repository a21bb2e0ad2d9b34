// The Electrum server's decisions as plain values (tested without an engine): its service
// and onion names, where its index lives, its uid, and electrum.conf, the file bcm-electrum
// reads from a Swarm secret (it names the node and carries the RPC password).
import type { GatewayOnionService } from "../gateway/gatewayTier";
import { Chain, chainPorts, Implementation, serviceNames } from "./chains";
import { RpcCredentials } from "./config";

/** The user bcm/electrum runs as (images/docker/electrum/Dockerfile): the index directory and its secrets belong to it. */
export const electrumUid = 50001;

/** The Electrum protocol's port (plain TCP; the onion service in front gives it Tor's encryption), on the overlay and on the .onion address. */
export const electrumPort = 50001;

/** Where things are inside the electrum container. */
export const electrumPaths = {
    /** The index (index.db) and status.json. */
    data: "/var/lib/electrum",
    conf: "/run/secrets/electrum.conf",
    /** btcd's RPC certificate, pinned. */
    cert: "/run/secrets/btcd-rpc.cert",
} as const;

/** The swarm service (also its DNS name on the tier's overlay and its onion service's name): `electrum-<chain>`. */
export function electrumServiceName(chain: Chain): string {
    return `electrum-${chain}`;
}

/** Its onion service: the Electrum port, for the controller's key only (wallets are the controller's). */
export function electrumOnionService(chain: Chain): GatewayOnionService {
    const name = electrumServiceName(chain);
    return { name, virtualPort: electrumPort, target: `${name}:${electrumPort}`, clients: ["controller"] };
}

/** The index directory on the kept chain volume (beside the node's and lnd's), given a chain volume's mount path. */
export function electrumIndexDir(chainVolumePath: string): string {
    return `${chainVolumePath}/electrum`;
}

/** Memory: the Go heap's ceiling (bcm-electrum's memory-limit) and the task's limit, which leaves room for the memory-mapped index. */
export function electrumMemory(chain: Chain): { heap: string; taskMiB: number } {
    return chain === "regtest" ? { heap: "256MiB", taskMiB: 512 } : { heap: "1GiB", taskMiB: 2048 };
}

export interface ElectrumSettings {
    chain: Chain;
    implementation: Implementation;
    /** The node's RPC credentials; the password goes into the file, never on a command line. */
    rpc: RpcCredentials;
}

const value = /^[A-Za-z0-9._~+/=:-]{1,200}$/;

/**
 * electrum.conf: `name = value` lines of bcm-electrum's serve flags. The node is reached by
 * its service name on the tier's overlay; btcd's RPC speaks TLS with the tier's certificate
 * (pinned), bitcoind's plain HTTP.
 */
export function electrumConf(s: ElectrumSettings): string {
    // A newline or '#' would end the value early in this line-based format.
    if (!value.test(s.rpc.user)) throw new Error("electrum rpc user: use letters, digits and ._~+/=:- (1-200 characters)");
    if (!value.test(s.rpc.password)) throw new Error("electrum rpc password: use letters, digits and ._~+/=:- (1-200 characters)");
    const node = serviceNames(s.implementation, s.chain).node;
    const lines = [
        `rpc-addr = ${node}:${chainPorts(s.implementation, s.chain).rpc}`,
        `rpc-user = ${s.rpc.user}`,
        `rpc-pass = ${s.rpc.password}`,
        ...(s.implementation === "btcd" ? [`rpc-cert = ${electrumPaths.cert}`] : []),
        `chain = ${s.chain}`,
        `datadir = ${electrumPaths.data}`,
        `listen = 0.0.0.0:${electrumPort}`,
        `memory-limit = ${electrumMemory(s.chain).heap}`,
    ];
    return lines.join("\n") + "\n";
}

/** Healthy: the status file is fresh (the server runs; indexing or not) and the port answers. */
export const electrumHealthcheck = `bcm-electrum status --datadir ${electrumPaths.data} >/dev/null && nc -z 127.0.0.1 ${electrumPort}`;
