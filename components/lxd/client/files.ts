import * as path from "node:path";
import { LxdClient } from "./client";
import { decodeEnvelope } from "./envelope";
import { LxdError } from "./errors";

/** Owner and permissions of a file pushed into an instance. */
export interface FileOptions {
    /** Owner uid inside the instance (default 0). */
    uid?: number;
    /** Owner gid inside the instance (default 0). */
    gid?: number;
    /** Permission bits, e.g. 0o644 (default 0o644; 0o755 for created directories). */
    mode?: number;
    /** Create missing parent directories, root-owned 0755 (default true). */
    createParents?: boolean;
}

/** A file read from an instance, with what LXD says about it. */
export interface PulledFile {
    content: Buffer;
    uid: number;
    gid: number;
    mode: number;
    type: string;
}

/** LXD parses X-LXD-mode with base detection, so the leading 0 is what makes it octal. */
export function octalMode(mode: number): string {
    return "0" + (mode & 0o7777).toString(8).padStart(3, "0");
}

function filesPath(instance: string, file: string): string {
    return `/1.0/instances/${encodeURIComponent(instance)}/files?path=${encodeURIComponent(file)}`;
}

/**
 * Writes a file into an instance (running or stopped), replacing what was there. LXD has
 * no recursive mkdir, so missing parents are created one level at a time first.
 */
export async function pushFile(client: LxdClient, instance: string, file: string, content: Buffer | string, opts: FileOptions = {}): Promise<void> {
    if (!path.posix.isAbsolute(file)) {
        throw new Error(`the path inside instance ${instance} must be absolute, got "${file}"`);
    }
    if (opts.createParents ?? true) {
        await ensureDirectory(client, instance, path.posix.dirname(file));
    }
    await write(client, instance, file, "file", Buffer.from(content), opts.uid ?? 0, opts.gid ?? 0, opts.mode ?? 0o644);
}

/** Creates a directory and its missing parents (root-owned, 0755); existing ones are left alone. */
export async function ensureDirectory(client: LxdClient, instance: string, dir: string): Promise<void> {
    const missing: string[] = [];
    for (let d = path.posix.normalize(dir); d !== "/" && !(await fileExists(client, instance, d)); d = path.posix.dirname(d)) {
        missing.unshift(d);
    }
    for (const d of missing) {
        await write(client, instance, d, "directory", Buffer.alloc(0), 0, 0, 0o755);
    }
}

/** True when the path exists in the instance (HEAD, extension instance_file_head). */
export async function fileExists(client: LxdClient, instance: string, file: string): Promise<boolean> {
    const res = await client.raw({ method: "HEAD", path: filesPath(instance, file), timeoutMs: 60_000 }, `path ${file} in instance ${instance}`);
    if (res.status === 404) {
        return false;
    }
    if (res.status >= 400) {
        throw new LxdError(res.status, client.url, `path ${file} in instance ${instance}`, "cannot look it up");
    }
    return true;
}

/** Reads a file from an instance with its owner, mode and type. */
export async function pullFile(client: LxdClient, instance: string, file: string): Promise<PulledFile> {
    const object = `file ${file} in instance ${instance}`;
    const res = await client.raw({ method: "GET", path: filesPath(instance, file), timeoutMs: 300_000 }, object);
    if (res.status >= 400) {
        decodeEnvelope(res, client.url, object); // throws LXD's own message
    }
    const header = (name: string) => String(res.headers[name] ?? "");
    return {
        content: res.body,
        uid: Number(header("x-lxd-uid")),
        gid: Number(header("x-lxd-gid")),
        mode: parseInt(header("x-lxd-mode"), 8),
        type: header("x-lxd-type"),
    };
}

/** Deletes a file or empty directory in an instance; a missing one is fine. */
export async function deleteFile(client: LxdClient, instance: string, file: string): Promise<void> {
    const res = await client.raw({ method: "DELETE", path: filesPath(instance, file), timeoutMs: 60_000 });
    if (res.status >= 400 && res.status !== 404) {
        decodeEnvelope(res, client.url, `file ${file} in instance ${instance}`);
    }
}

async function write(client: LxdClient, instance: string, file: string, type: "file" | "directory", body: Buffer, uid: number, gid: number, mode: number): Promise<void> {
    const object = `${type} ${file} in instance ${instance}`;
    const res = await client.raw(
        {
            method: "POST",
            path: filesPath(instance, file),
            headers: {
                "Content-Type": "application/octet-stream",
                "X-LXD-type": type,
                "X-LXD-uid": String(uid),
                "X-LXD-gid": String(gid),
                "X-LXD-mode": octalMode(mode),
                "X-LXD-write": "overwrite",
            },
            body,
            timeoutMs: 300_000,
        },
        object,
    );
    decodeEnvelope(res, client.url, object); // sync on success, throws LXD's message otherwise
}
