// Where backups are written and found: `$BCM_HOME/backups/<cluster>/<cluster>-<time>/` unless
// --to names a directory; each backup is one directory with manifest.json, its signature and
// one archive per tier.
import * as fs from "node:fs";
import * as path from "node:path";
import { Manifest, manifestFile, parseManifest } from "./manifest";

export const defaultBackupRoot = (home: string, cluster: string) => path.join(home, "backups", cluster);

/** A backup found on disk: its directory, manifest and total size. */
export interface FoundBackup {
    dir: string;
    manifest: Manifest;
    bytes: number;
}

/** The backups directly under `root` (each a directory with a manifest), oldest first; unreadable ones are named in `problems`. */
export function findBackups(root: string): { backups: FoundBackup[]; problems: string[] } {
    const backups: FoundBackup[] = [];
    const problems: string[] = [];
    if (!fs.existsSync(root)) return { backups, problems };
    for (const name of fs.readdirSync(root).sort()) {
        const dir = path.join(root, name);
        const file = path.join(dir, manifestFile);
        if (!fs.statSync(dir).isDirectory() || !fs.existsSync(file)) continue;
        try {
            const manifest = parseManifest(fs.readFileSync(file, "utf8"), file);
            const bytes = manifest.archives.reduce((n, a) => n + a.encryptedBytes, 0);
            backups.push({ dir, manifest, bytes });
        } catch (err) {
            problems.push((err as Error).message);
        }
    }
    backups.sort((a, b) => a.manifest.created.localeCompare(b.manifest.created));
    return { backups, problems };
}

/** Human size: 1.2 MiB. */
export function formatBytes(n: number): string {
    if (n < 1024) return `${n} B`;
    const units = ["KiB", "MiB", "GiB", "TiB"];
    let v = n / 1024;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) {
        v /= 1024;
        u++;
    }
    return `${v.toFixed(1)} ${units[u]}`;
}
