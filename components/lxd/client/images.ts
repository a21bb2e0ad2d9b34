import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { LxdClient } from "./client";
import { decodeEnvelope } from "./envelope";
import { LxdError, isLxdError } from "./errors";
import { multipartFiles } from "./multipart";

/** The parts of a split image: a metadata tarball (metadata.yaml, templates/) and a rootfs tarball. */
export interface SplitImageFiles {
    metadataPath: string;
    rootfsPath: string;
}

/** An image as `GET /1.0/images/<fingerprint>` shows it (the fields used here). */
export interface ImageInfo {
    fingerprint: string;
    aliases: { name: string; description: string }[];
    properties: Record<string, string>;
    public: boolean;
    size: number;
    uploaded_at: string;
    type: string;
}

/** An image alias: a name pointing at a fingerprint. */
export interface ImageAlias {
    name: string;
    target: string;
    description: string;
}

/**
 * A split image's fingerprint, computed locally the way LXD does: SHA-256 over the
 * metadata bytes followed by the rootfs bytes. Knowing it before uploading is what makes
 * an import skippable.
 */
export async function splitImageFingerprint(files: SplitImageFiles): Promise<string> {
    const hash = crypto.createHash("sha256");
    for (const file of [files.metadataPath, files.rootfsPath]) {
        for await (const chunk of fs.createReadStream(file)) {
            hash.update(chunk as Buffer);
        }
    }
    return hash.digest("hex");
}

/** The image, or undefined when the daemon has none with this fingerprint. */
export async function getImage(client: LxdClient, fingerprint: string): Promise<ImageInfo | undefined> {
    try {
        return await client.get<ImageInfo>(`/1.0/images/${encodeURIComponent(fingerprint)}`);
    } catch (err) {
        if (isLxdError(err, 404)) {
            return undefined;
        }
        throw err;
    }
}

/**
 * Imports a split image unless the daemon already has its fingerprint. The upload is a
 * multipart POST with the parts `metadata` then `rootfs`; the fingerprint header makes
 * LXD refuse the image if the files changed since they were hashed.
 * @returns the fingerprint and whether this call uploaded it.
 */
export async function importSplitImage(
    client: LxdClient,
    files: SplitImageFiles,
    opts: { public?: boolean; timeoutSeconds?: number } = {},
): Promise<{ fingerprint: string; uploaded: boolean }> {
    const fingerprint = await splitImageFingerprint(files);
    if (await getImage(client, fingerprint)) {
        return { fingerprint, uploaded: false };
    }
    const object = `image ${fingerprint.slice(0, 12)} (from ${files.rootfsPath})`;
    const body = multipartFiles([
        { name: "metadata", path: files.metadataPath },
        { name: "rootfs", path: files.rootfsPath },
    ]);
    const res = await client.raw(
        {
            method: "POST",
            path: "/1.0/images",
            headers: {
                "Content-Type": body.contentType,
                "X-LXD-fingerprint": fingerprint,
                "X-LXD-public": String(opts.public ?? false),
            },
            body: body.stream,
            contentLength: body.contentLength,
            timeoutMs: 30 * 60_000,
        },
        object,
    );
    const env = decodeEnvelope(res, client.url, object);
    if (env.type === "async") {
        await client.wait(env.operation, { object, timeoutSeconds: opts.timeoutSeconds ?? 1800 });
    }
    if (!(await getImage(client, fingerprint))) {
        throw new LxdError(0, client.url, object, "the upload finished but the image is not there");
    }
    return { fingerprint, uploaded: true };
}

/**
 * The full fingerprint an instance's `image` names: an alias first, then a fingerprint
 * (LXD accepts a unique prefix). Undefined when neither exists.
 */
export async function resolveImage(client: LxdClient, aliasOrFingerprint: string): Promise<string | undefined> {
    const alias = await getAlias(client, aliasOrFingerprint);
    if (alias) {
        return alias.target;
    }
    if (!/^[0-9a-f]+$/i.test(aliasOrFingerprint)) {
        return undefined;
    }
    return (await getImage(client, aliasOrFingerprint))?.fingerprint;
}

/** The alias, or undefined when there is none by that name. */
export async function getAlias(client: LxdClient, name: string): Promise<ImageAlias | undefined> {
    try {
        return await client.get<ImageAlias>(`/1.0/images/aliases/${encodeURIComponent(name)}`);
    } catch (err) {
        if (isLxdError(err, 404)) {
            return undefined;
        }
        throw err;
    }
}

/**
 * Points an alias at a fingerprint: creates it, moves it if it points elsewhere (a rebuilt
 * image takes over its name), or leaves it alone.
 * @returns what the alias pointed at before, if anything.
 */
export async function setAlias(client: LxdClient, name: string, fingerprint: string, description = ""): Promise<string | undefined> {
    const existing = await getAlias(client, name);
    if (!existing) {
        await client.run("POST", "/1.0/images/aliases", { body: { name, target: fingerprint, description } });
        return undefined;
    }
    if (existing.target !== fingerprint) {
        await client.run("PUT", `/1.0/images/aliases/${encodeURIComponent(name)}`, {
            body: { target: fingerprint, description: existing.description || description },
        });
    }
    return existing.target;
}

/** Deletes an alias if it still points at the fingerprint (another image may have taken it over). */
export async function deleteAliasIfTarget(client: LxdClient, name: string, fingerprint: string): Promise<void> {
    const existing = await getAlias(client, name);
    if (existing && existing.target === fingerprint) {
        await ignoreNotFound(client.run("DELETE", `/1.0/images/aliases/${encodeURIComponent(name)}`));
    }
}

/** Deletes an image (and with it its aliases); a missing one is fine. */
export async function deleteImage(client: LxdClient, fingerprint: string): Promise<void> {
    await ignoreNotFound(client.run("DELETE", `/1.0/images/${encodeURIComponent(fingerprint)}`));
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
    try {
        await p;
    } catch (err) {
        if (!isLxdError(err, 404)) {
            throw err;
        }
    }
}
