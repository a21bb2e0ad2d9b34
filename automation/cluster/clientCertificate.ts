// The controller's TLS client certificate for LXD endpoints reached over HTTPS: made once
// per BCM home with OpenSSL (EC P-256, self-signed, as `lxc` makes its own), trusted by each
// `--ssh` endpoint when it is bootstrapped. The key never leaves the BCM home (mode 0600).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";

export interface ClientCertificate {
    certPath: string;
    keyPath: string;
}

/** Returns the BCM home's client certificate, making it on first use. */
export async function ensureClientCertificate(home: string): Promise<ClientCertificate> {
    const certPath = path.join(home, "client.crt");
    const keyPath = path.join(home, "client.key");
    if (fs.existsSync(certPath) && fs.existsSync(keyPath)) return { certPath, keyPath };
    if (fs.existsSync(certPath) !== fs.existsSync(keyPath)) {
        throw new Error(`${fs.existsSync(certPath) ? keyPath : certPath} is missing beside its pair: restore it, or move the other file away to make a new certificate`);
    }
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    const tmpKey = `${keyPath}.tmp`;
    await execa("openssl", [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-sha384",
        "-days", "3650", "-subj", `/O=BCM/CN=bcm-controller@${os.hostname()}`,
        "-keyout", tmpKey, "-out", `${certPath}.tmp`,
    ], { stdin: "ignore" });
    fs.chmodSync(tmpKey, 0o600);
    // Renamed into place together, so a crash never leaves half a pair.
    fs.renameSync(tmpKey, keyPath);
    fs.renameSync(`${certPath}.tmp`, certPath);
    return { certPath, keyPath };
}
