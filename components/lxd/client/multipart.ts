import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { Readable } from "node:stream";

/** One file part of a multipart/form-data body. */
export interface FilePart {
    /** The form field name (`metadata`, `rootfs`). */
    name: string;
    /** The local file sent as the part's content. */
    path: string;
}

/** A streamed multipart body with its exact length, so no gigabyte rootfs is held in memory. */
export interface MultipartBody {
    contentType: string;
    contentLength: number;
    stream: Readable;
}

/**
 * Builds a multipart/form-data body from files, in the given order (LXD reads the
 * `metadata` part first). The length is computed up front from the file sizes.
 */
export function multipartFiles(parts: FilePart[]): MultipartBody {
    const boundary = `bcm-lxd-${crypto.randomBytes(12).toString("hex")}`;
    const heads = parts.map((p) =>
        Buffer.from(
            `--${boundary}\r\n` +
                `Content-Disposition: form-data; name="${p.name}"; filename="${p.path.split("/").pop()}"\r\n` +
                "Content-Type: application/octet-stream\r\n\r\n",
        ),
    );
    const tail = Buffer.from(`--${boundary}--\r\n`);
    const sizes = parts.map((p) => fs.statSync(p.path).size);
    const contentLength =
        heads.reduce((n, h) => n + h.length, 0) + sizes.reduce((n, s) => n + s + 2, 0) + tail.length;
    async function* chunks(): AsyncGenerator<Buffer> {
        for (let i = 0; i < parts.length; i++) {
            yield heads[i];
            for await (const chunk of fs.createReadStream(parts[i].path)) {
                yield chunk as Buffer;
            }
            yield Buffer.from("\r\n");
        }
        yield tail;
    }
    return {
        contentType: `multipart/form-data; boundary=${boundary}`,
        contentLength,
        stream: Readable.from(chunks()),
    };
}
