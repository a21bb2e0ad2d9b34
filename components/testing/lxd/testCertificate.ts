import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LxdClient } from "../../lxd/client/client";

/** A client certificate and key in files, as the test program reads them. */
export interface ClientCertificate {
    certPath: string;
    keyPath: string;
    pem: string;
    key: string;
    /** SHA-256 of the DER, as LXD names certificates. */
    fingerprint: string;
}

/**
 * A self-signed EC P-384 client certificate (what `lxc` generates), valid for a day,
 * written into `dir`. openssl makes it: Node can make keys but not certificates.
 */
export function makeClientCertificate(dir: string, commonName: string): ClientCertificate {
    const certPath = path.join(dir, `${commonName}.crt`);
    const keyPath = path.join(dir, `${commonName}.key`);
    execFileSync("openssl", [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1", "-nodes",
        "-keyout", keyPath, "-out", certPath, "-days", "1", "-subj", `/CN=${commonName}`,
    ], { stdio: "ignore" });
    fs.chmodSync(keyPath, 0o600);
    const pem = fs.readFileSync(certPath, "utf8");
    return {
        certPath,
        keyPath,
        pem,
        key: fs.readFileSync(keyPath, "utf8"),
        fingerprint: new crypto.X509Certificate(pem).fingerprint256.replace(/:/g, "").toLowerCase(),
    };
}

/** Adds a certificate to LXD's trust store over the unix socket (base64 of the DER, not PEM). */
export async function trustCertificate(client: LxdClient, name: string, cert: ClientCertificate): Promise<void> {
    const der = new crypto.X509Certificate(cert.pem).raw;
    await client.run("POST", "/1.0/certificates", { body: { type: "client", name, certificate: der.toString("base64") } });
}

/** The server certificate's fingerprint, as `GET /1.0` reports it, to pin. */
export async function serverFingerprint(client: LxdClient): Promise<string> {
    const info = await client.connect();
    const fp = info.environment?.certificate_fingerprint;
    if (!fp) {
        throw new Error("LXD did not report its certificate fingerprint");
    }
    return fp;
}
