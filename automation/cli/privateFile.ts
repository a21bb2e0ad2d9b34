import { closeSync, fchmodSync, fstatSync, openSync, writeSync } from "node:fs";

/**
 * Writes a file only its owner can read and write (0600), whatever the umask, and also when it
 * exists already with a wider mode: for plaintext that was encrypted (`bcm file decrypt`).
 * The mode is set on the open descriptor before anything is written.
 */
export function writePrivateFile(file: string, data: Uint8Array | string): void {
    const fd = openSync(file, "w", 0o600);
    try {
        fchmodSync(fd, 0o600);
        if (!fstatSync(fd).isFile()) throw new Error(`${file} is not a regular file`);
        const bytes = typeof data === "string" ? Buffer.from(data) : data;
        for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    } finally {
        closeSync(fd);
    }
}
