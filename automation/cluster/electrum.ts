// `bcm electrum connect`: what a wallet needs to reach a cluster's Electrum server, which
// listens only on the bitcoin tier's overlay and is published as an onion service with
// client authorization: the onion address, the port and the controller's client key (the
// line for Tor's ClientOnionAuthDir, written into the BCM home like the registry's).
import { CliError } from "../cli/errors";
import { onionAuthDir, onionAuthFile, writeClientAuth } from "./onionAuth";
import { ClusterContext, selectCluster } from "./workspace";

/** What a wallet needs, and where the client key was written. */
export interface ElectrumConnection {
    cluster: string;
    chain: string;
    /** The swarm service, also the onion service's name. */
    service: string;
    /** `<56 characters>.onion`. */
    onion: string;
    port: number;
    /** `tcp://<onion>:<port>`: plain TCP (Tor encrypts), as BDK and Electrum take it. */
    url: string;
    /** `<onion-without-.onion>:descriptor:x25519:<key>`: the `.auth_private` line for Tor's ClientOnionAuthDir. */
    clientAuthLine: string;
    /** The key alone (base32), which Tor Browser asks for. */
    clientKey: string;
    /** Where the line was written (mode 0600). */
    authFile: string;
    /** The gateway's Tor network; "offline" means no wallet can reach it yet. */
    torNetwork: string;
}

interface Exported {
    chain?: string;
    torNetwork?: string;
    workloads?: { bitcoin?: { electrum?: unknown } };
    onions?: Record<string, { address?: string; clientAuthLines?: Record<string, string> }>;
}

const fixDeploy = (cluster: string) => `\`bcm stack deploy bitcoin --cluster ${cluster}\``;

/**
 * The connection from a cluster stack's `dataCenter` output (pure: tested directly). Throws a
 * one-line CliError when the cluster has no bitcoin tier, the server is off, or its onion
 * service has no key for the controller.
 */
export function electrumConnection(cluster: string, dataCenter: unknown, authDir: string): ElectrumConnection {
    const dc = (dataCenter ?? {}) as Exported;
    const bitcoin = dc.workloads?.bitcoin;
    if (!bitcoin) throw new CliError(`cluster ${cluster} has no bitcoin tier; fix: ${fixDeploy(cluster)} (the Electrum server runs on it)`);
    const electrum = bitcoin.electrum as { service?: string; address?: string } | string | undefined;
    if (typeof electrum !== "object" || !electrum.service) {
        throw new CliError(`cluster ${cluster} runs no Electrum server (bcm:bitcoin.electrum is false); fix: remove "electrum": false from the cluster's bcm:bitcoin setting and deploy again with ${fixDeploy(cluster)}`);
    }
    const service = electrum.service;
    const onion = dc.onions?.[service];
    const line = onion?.clientAuthLines?.controller;
    if (!onion?.address || !line) throw new CliError(`cluster ${cluster} has no onion service ${service} with a key for the controller; fix: deploy again with ${fixDeploy(cluster)}`);
    const m = /^([a-z2-7]{56}):descriptor:x25519:([A-Z2-7]{52})$/.exec(line);
    if (!m || `${m[1]}.onion` !== onion.address) throw new CliError(`cluster ${cluster}: the client key of ${service} is not for ${onion.address}; fix: deploy again with ${fixDeploy(cluster)}`);
    const port = Number(String(electrum.address ?? "").split(":").pop());
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`cluster ${cluster}: the Electrum server's address ${JSON.stringify(electrum.address)} has no port; fix: deploy again with ${fixDeploy(cluster)}`);
    return {
        cluster,
        chain: dc.chain ?? "unknown",
        service,
        onion: onion.address,
        port,
        url: `tcp://${onion.address}:${port}`,
        clientAuthLine: line,
        clientKey: m[2],
        authFile: onionAuthFile(authDir, service, "controller"),
        torNetwork: dc.torNetwork ?? "unknown",
    };
}

/** The lines `bcm electrum connect` prints (pure). */
export function describeConnection(c: ElectrumConnection): string[] {
    const lines = [
        `Electrum server of cluster ${c.cluster} (${c.chain}), through Tor with client authorization:`,
        `  onion address:  ${c.onion}`,
        `  port:           ${c.port} (plain TCP: Tor encrypts; Electrum's server string ${c.onion}:${c.port}:t)`,
        `  client key:     ${c.clientAuthLine}`,
        `  written to:     ${c.authFile}`,
        "Point a wallet at it:",
        `  a Tor of your own (for Sparrow, Electrum, BDK): copy ${c.authFile} into the directory torrc's ClientOnionAuthDir names, reload Tor`,
        `  Tor Browser: when it asks for the onion service's key, give ${c.clientKey}`,
        `  Sparrow: Server > Private Electrum > URL ${c.onion}, port ${c.port}, no SSL, proxy 127.0.0.1:9050`,
        `  Electrum: electrum --oneserver --server ${c.onion}:${c.port}:t --proxy socks5:127.0.0.1:9050`,
    ];
    if (c.torNetwork === "offline") lines.push(`Note: the gateway's Tor is offline on cluster ${c.cluster}: no wallet reaches the onion service until it joins a Tor network (\`bcm stack deploy gateway --cluster ${c.cluster} --tor public\`)`);
    return lines;
}

/** `bcm electrum connect`: reads the cluster stack's outputs and writes the controller's key into the BCM home. */
export async function connectElectrum(cluster: string, ctx: ClusterContext): Promise<ElectrumConnection> {
    const stack = await selectCluster(cluster, ctx);
    const dataCenter = (await stack.outputs()).dataCenter?.value;
    const dir = onionAuthDir(ctx.home, cluster);
    const c = electrumConnection(cluster, dataCenter, dir);
    writeClientAuth(dir, c.service, { controller: c.clientAuthLine });
    return c;
}
