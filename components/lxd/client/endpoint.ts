import * as crypto from "node:crypto";

/** The local daemon's socket on Debian (the snap puts it under /var/snap/lxd/common/lxd). */
export const defaultSocketPath = "/var/lib/lxd/unix.socket";

/** The endpoint used when none is given: the local daemon over its unix socket. */
export const defaultEndpointUrl = `unix://${defaultSocketPath}`;

/**
 * Where an LXD daemon is and how to prove who we are to it. The unix socket needs nothing
 * else (access to it is root); HTTPS needs a client certificate LXD trusts and the SHA-256
 * fingerprint of the server's certificate, which is pinned instead of checking hostnames:
 * LXD's self-signed certificate only names its host and loopback.
 */
export interface Endpoint {
    /** `unix:///path/to/unix.socket` (default {@link defaultEndpointUrl}) or `https://host[:8443]`. */
    url?: string;
    /** The client certificate (PEM) for HTTPS; LXD must trust it. */
    clientCertificate?: string;
    /** The client certificate's private key (PEM) for HTTPS. */
    clientKey?: string;
    /** SHA-256 of the server certificate's DER, hex, with or without colons, any case. */
    serverFingerprint?: string;
}

/** A checked endpoint: either a socket path, or an HTTPS address with its credentials. */
export type ResolvedEndpoint =
    | { kind: "unix"; url: string; socketPath: string }
    | {
          kind: "https";
          url: string;
          host: string;
          port: number;
          clientCertificate: string;
          clientKey: string;
          serverFingerprint: string;
      };

/** One thing wrong with an endpoint, named by its field (`url`, `clientKey` ...). */
export interface EndpointProblem {
    field: keyof Endpoint;
    reason: string;
}

/** Lower-case hex without separators, the form LXD prints in `GET /1.0`. */
export function normalizeFingerprint(fp: string): string {
    return fp.replace(/[:\s]/g, "").toLowerCase();
}

/** SHA-256 fingerprint (lower-case hex) of a certificate's DER bytes. */
export function certificateFingerprint(der: Buffer): string {
    return crypto.createHash("sha256").update(der).digest("hex");
}

/**
 * Everything wrong with an endpoint, each with the fix; empty when it can be used.
 * Kept separate from {@link resolveEndpoint} so the provider can report all problems at
 * once as check failures.
 */
export function endpointProblems(e: Endpoint): EndpointProblem[] {
    const url = e.url ?? defaultEndpointUrl;
    const problems: EndpointProblem[] = [];
    if (url.startsWith("unix://")) {
        return problems;
    }
    if (!url.startsWith("https://")) {
        problems.push({
            field: "url",
            reason: `"${url}" is neither unix:///path/to/unix.socket nor https://host:port`,
        });
        return problems;
    }
    try {
        new URL(url);
    } catch {
        problems.push({ field: "url", reason: `"${url}" is not a valid https URL` });
    }
    if (!e.clientCertificate || !/-----BEGIN CERTIFICATE-----/.test(e.clientCertificate)) {
        problems.push({
            field: "clientCertificate",
            reason: "an https endpoint needs a PEM client certificate that LXD trusts (lxc config trust add)",
        });
    }
    if (!e.clientKey || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(e.clientKey)) {
        problems.push({ field: "clientKey", reason: "an https endpoint needs the client certificate's PEM private key" });
    }
    if (!e.serverFingerprint || !/^[0-9a-f]{64}$/.test(normalizeFingerprint(e.serverFingerprint))) {
        problems.push({
            field: "serverFingerprint",
            reason:
                "an https endpoint needs the server certificate's SHA-256 fingerprint (64 hex digits; " +
                "`lxc info | grep certificate_fingerprint` on the server prints it)",
        });
    }
    return problems;
}

/** Checks an endpoint and splits its URL; throws with every problem when it cannot be used. */
export function resolveEndpoint(e: Endpoint): ResolvedEndpoint {
    const problems = endpointProblems(e);
    const url = e.url ?? defaultEndpointUrl;
    if (problems.length > 0) {
        throw new Error(`LXD endpoint ${url}: ${problems.map((p) => `${p.field}: ${p.reason}`).join("; ")}`);
    }
    if (url.startsWith("unix://")) {
        return { kind: "unix", url, socketPath: url.slice("unix://".length) || defaultSocketPath };
    }
    const parsed = new URL(url);
    return {
        kind: "https",
        url,
        host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: parsed.port ? Number(parsed.port) : 8443,
        clientCertificate: e.clientCertificate!,
        clientKey: e.clientKey!,
        serverFingerprint: normalizeFingerprint(e.serverFingerprint!),
    };
}
