import * as https from "node:https";
import * as tls from "node:tls";
import { certificateFingerprint } from "./endpoint";

/** The server certificate as seen on the wire, before anything is trusted. */
export interface PeerCertificate {
    fingerprint: string;
    pem: string;
}

/**
 * Fetches the server's certificate without verifying it (and without presenting ours), to
 * compare its fingerprint with the pin before any request is sent. LXD's certificate is
 * self-signed and names only its host and loopback, so it cannot be verified by hostname.
 */
export function fetchPeerCertificate(host: string, port: number, timeoutMs: number): Promise<PeerCertificate> {
    return new Promise((resolve, reject) => {
        const socket = tls.connect({ host, port, rejectUnauthorized: false });
        socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs / 1000} s`)));
        socket.once("secureConnect", () => {
            const cert = socket.getPeerCertificate();
            socket.end();
            if (!cert || !cert.raw) {
                reject(new Error("the server sent no certificate"));
                return;
            }
            const b64 = cert.raw.toString("base64").replace(/(.{64})/g, "$1\n");
            resolve({
                fingerprint: certificateFingerprint(cert.raw),
                pem: `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`,
            });
        });
        socket.once("error", reject);
    });
}

/**
 * An HTTPS agent that presents the client certificate and accepts exactly one server: the
 * pinned certificate is the only CA, and the identity check compares its fingerprint
 * instead of the hostname. A different certificate fails the handshake, so no request
 * (and no request body) ever reaches it.
 */
export function pinnedAgent(opts: { clientCertificate: string; clientKey: string; serverPem: string; fingerprint: string }): https.Agent {
    return new https.Agent({
        cert: opts.clientCertificate,
        key: opts.clientKey,
        ca: opts.serverPem,
        rejectUnauthorized: true,
        checkServerIdentity: (_host, cert) =>
            cert.raw && certificateFingerprint(cert.raw) === opts.fingerprint
                ? undefined
                : new Error(`server certificate does not match the pinned fingerprint ${opts.fingerprint}`),
    });
}
