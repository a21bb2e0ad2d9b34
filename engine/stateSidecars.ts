// Metadata files of the file backend that a killed run left broken.
//
// The pinned engine stores its state through gocloud's fileblob (gocloud.dev v0.46.0,
// blob/fileblob): every file it writes (a stack's checkpoint, its backup, history, meta.yaml)
// is written to a temporary file and renamed, which a kill cannot tear, but its sidecar
// `<file>.attrs` (content type and MD5, JSON) is written in place: os.Create truncates it, then
// the JSON follows. A SIGKILL in between leaves it empty, and every later run stops at
// "failed to load checkpoint: EOF" (found by `npm run test:faults -- up-5`). The sidecar holds
// nothing the state needs (the MD5 is not checked, and a missing sidecar reads as defaults),
// so one that is not JSON is removed; the checkpoint itself is whole.
import * as fs from "node:fs";
import * as path from "node:path";

/** Whether a sidecar's text is one the engine can read: a JSON object. */
export function readableSidecar(text: string): boolean {
    try {
        const v: unknown = JSON.parse(text);
        return typeof v === "object" && v !== null && !Array.isArray(v);
    } catch {
        return false;
    }
}

/** Every `.attrs` file under `<stateDir>/.pulumi`. */
function sidecars(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return sidecars(p);
        return e.isFile() && e.name.endsWith(".attrs") ? [p] : [];
    });
}

/** Removes the sidecars under a file backend's state directory that are not JSON; returns their paths. */
export function removeBrokenSidecars(stateDir: string): string[] {
    const removed: string[] = [];
    for (const file of sidecars(path.join(stateDir, ".pulumi"))) {
        if (readableSidecar(fs.readFileSync(file, "utf8"))) continue;
        fs.rmSync(file, { force: true });
        removed.push(file);
    }
    return removed;
}

/** One line for a person about a removed sidecar. */
export function describeRemovedSidecar(file: string): string {
    return `[bcm] state: removed ${file}, the metadata file of ${path.basename(file, ".attrs")} an interrupted run left unreadable (the file itself is whole)`;
}
