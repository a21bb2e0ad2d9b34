import { LxdClient } from "../client/client";
import { Endpoint, defaultEndpointUrl } from "../client/endpoint";
import { LxdError } from "../client/errors";

const clients = new Map<string, LxdClient>();

/**
 * A trusted client for a resource's `endpoint` input, shared by every resource with the
 * same endpoint during one engine run. Connection failures are rethrown naming the
 * `endpoint` field to fix: the URL for an unreachable daemon, the fingerprint for a
 * certificate mismatch, the client certificate when LXD does not trust it.
 */
export async function connect(endpoint: Endpoint | undefined): Promise<LxdClient> {
    const e: Endpoint = { ...(endpoint ?? {}), url: endpoint?.url ?? defaultEndpointUrl };
    const key = JSON.stringify([e.url, e.clientCertificate, e.clientKey, e.serverFingerprint]);
    let client = clients.get(key);
    if (!client) {
        client = new LxdClient(e);
        clients.set(key, client);
    }
    try {
        await client.connect();
    } catch (err) {
        throw explainConnectError(err, e.url!);
    }
    return client;
}

/** Turns a connection failure into an error that names the endpoint field and the fix. */
export function explainConnectError(err: unknown, url: string): Error {
    if (!(err instanceof LxdError)) {
        return err instanceof Error ? err : new Error(String(err));
    }
    if (err.object === "the server certificate") {
        return new Error(`endpoint.serverFingerprint: ${err.message}`);
    }
    if (err.object === "the client certificate") {
        return new Error(`endpoint.clientCertificate: ${err.message}`);
    }
    if (err.status === 0) {
        const hint = url.startsWith("unix://")
            ? "is LXD running and is this its socket? (scripts/host/ensure-lxd.sh starts it)"
            : "check the address and port, that LXD listens there (core.https_address) and that no firewall is in the way";
        return new Error(`endpoint.url: cannot reach LXD at ${url}: ${err.lxdMessage.replace(/^cannot reach LXD: /, "")}; ${hint}`);
    }
    return err;
}
