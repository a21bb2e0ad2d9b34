// The controller's keys for onion services with client authorization: one
// `<service>-<client>.auth_private` file per key, the line Tor's ClientOnionAuthDir reads
// (`<onion-without-.onion>:descriptor:x25519:<private key>`), owner-only, in the BCM home.
import * as fs from "node:fs";
import * as path from "node:path";

/** Where a cluster's client keys go: `$BCM_HOME/onion-auth/<cluster>/`. */
export function onionAuthDir(home: string, cluster: string): string {
    return path.join(home, "onion-auth", cluster);
}

/** The file of one service's key for one client. */
export function onionAuthFile(dir: string, service: string, client: string): string {
    return path.join(dir, `${service}-${client}.auth_private`);
}

/** Writes each client's `.auth_private` line where a Tor client's ClientOnionAuthDir can use it (directory 0700, files 0600); returns the files. */
export function writeClientAuth(dir: string, service: string, lines: Record<string, string>): string[] {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return Object.entries(lines).map(([client, line]) => {
        const file = onionAuthFile(dir, service, client);
        fs.writeFileSync(file, line + "\n", { mode: 0o600 });
        // writeFileSync keeps the mode of a file that exists already.
        fs.chmodSync(file, 0o600);
        return file;
    });
}
