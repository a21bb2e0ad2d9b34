// A backup's manifest: which archive holds which tier's data, and the SHA-256 sums of each
// archive as written (encrypted) and as decrypted (the tar inside). The manifest is signed by
// the device's controller key, so an archive swapped for another one encrypted to the same
// (public) certificate, or a sum changed, is refused. Pure: built and judged here, read and
// written by create.ts and verify.ts.
import { createHash } from "node:crypto";

export const manifestFormat = "bcm-backup/1";
export const manifestFile = "manifest.json";
export const signatureFile = "manifest.json.asc";

/** One tier's archive: an OpenPGP message (to the controller's certificate) of a tar. */
export interface ArchiveEntry {
    /** The tier it backs up ("gateway" carries the stack's state and config). */
    tier: string;
    /** Its file name in the backup's directory: `<tier>.tar.pgp`. */
    file: string;
    /** What the tar holds, for people: `state`, `config`, `lnd`, … */
    contents: string[];
    /** SHA-256 (hex) and size of the file as written (encrypted). */
    encryptedSha256: string;
    encryptedBytes: number;
    /** SHA-256 (hex) and size of the tar inside. */
    plainSha256: string;
    plainBytes: number;
}

export interface Manifest {
    format: typeof manifestFormat;
    /** The cluster (stack) it was taken of; a restore recreates the same cluster. */
    cluster: string;
    chain: string;
    /** ISO 8601, UTC. */
    created: string;
    /** The controller certificate's fingerprint (hex, upper case): the archives are encrypted to it. */
    recipient: string;
    archives: ArchiveEntry[];
}

export const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** The archive's file name for a tier. */
export const archiveFile = (tier: string): string => {
    if (!/^[a-z][a-z0-9]{0,15}$/.test(tier)) throw new Error(`tier "${tier}": not a tier name`);
    return `${tier}.tar.pgp`;
};

/** A manifest entry for an archive's plain and encrypted bytes. */
export function archiveEntry(tier: string, contents: string[], plain: Uint8Array, encrypted: Uint8Array): ArchiveEntry {
    return {
        tier,
        file: archiveFile(tier),
        contents,
        encryptedSha256: sha256(encrypted),
        encryptedBytes: encrypted.length,
        plainSha256: sha256(plain),
        plainBytes: plain.length,
    };
}

/** The manifest as written (stable key order, one trailing newline): what the signature covers. */
export function serializeManifest(m: Manifest): string {
    return JSON.stringify(m, null, 2) + "\n";
}

/** Reads a manifest, naming the first thing wrong with it in one line. */
export function parseManifest(text: string, where: string): Manifest {
    let m: Partial<Manifest>;
    try {
        m = JSON.parse(text) as Partial<Manifest>;
    } catch {
        throw new Error(`${where}: not JSON; this is not a BCM backup's manifest`);
    }
    if (m.format !== manifestFormat) throw new Error(`${where}: format ${JSON.stringify(m.format)} is not ${manifestFormat}`);
    if (typeof m.cluster !== "string" || typeof m.created !== "string" || typeof m.recipient !== "string" || typeof m.chain !== "string") {
        throw new Error(`${where}: cluster, chain, created or recipient missing`);
    }
    if (!Array.isArray(m.archives) || m.archives.length === 0) throw new Error(`${where}: lists no archives`);
    const hex = /^[0-9a-f]{64}$/;
    for (const a of m.archives) {
        if (typeof a.tier !== "string" || a.file !== archiveFile(a.tier) || !hex.test(a.encryptedSha256) || !hex.test(a.plainSha256)) {
            throw new Error(`${where}: archive entry ${JSON.stringify(a.tier)} is malformed`);
        }
    }
    return m as Manifest;
}

/** Why an archive's encrypted bytes do not belong to its entry, or undefined. */
export function encryptedProblem(entry: ArchiveEntry, encrypted: Uint8Array): string | undefined {
    if (encrypted.length !== entry.encryptedBytes) return `${entry.file}: ${encrypted.length} bytes, the manifest says ${entry.encryptedBytes}`;
    const sum = sha256(encrypted);
    if (sum !== entry.encryptedSha256) return `${entry.file}: SHA-256 ${sum.slice(0, 16)}… is not the manifest's ${entry.encryptedSha256.slice(0, 16)}…`;
    return undefined;
}

/** Why an archive's decrypted bytes do not belong to its entry, or undefined. */
export function plainProblem(entry: ArchiveEntry, plain: Uint8Array): string | undefined {
    const sum = sha256(plain);
    if (plain.length !== entry.plainBytes || sum !== entry.plainSha256) return `${entry.file}: the decrypted tar's SHA-256 ${sum.slice(0, 16)}… is not the manifest's ${entry.plainSha256.slice(0, 16)}…`;
    return undefined;
}

/** A backup directory's name: `<cluster>-<UTC time>` (sortable, no colons). */
export function backupDirName(cluster: string, created: Date): string {
    return `${cluster}-${created.toISOString().replace(/[:]/g, "").replace(/\.\d+Z$/, "Z")}`;
}
