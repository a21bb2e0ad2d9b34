import { LxdError } from "./errors";
import { RawResponse } from "./transport";

/** An LXD background operation, as LXD reports it (`GET /1.0/operations/<id>`). */
export interface Operation {
    id: string;
    class: string;
    description?: string;
    status: string;
    /** 103 running, 200 success, 400 failure, 401 cancelled (see LXD's status codes). */
    status_code: number;
    /** LXD's error message when the operation failed. */
    err: string;
    /** What the operation left behind: exec's `return` and `output`, an image's `fingerprint` ... */
    metadata: Record<string, unknown> | null;
    resources?: Record<string, string[]> | null;
}

/** A decoded answer: `sync` with its metadata (and ETag), or `async` with its operation. */
export type Envelope =
    | { type: "sync"; metadata: unknown; etag?: string }
    | { type: "async"; operation: Operation };

/**
 * Decodes LXD's response envelope. Errors come either as `{type:"error", error_code, error}`
 * or as an HTTP error status (some paths answer 404 before the API layer); both become an
 * LxdError naming endpoint and object. Only `type` and codes are trusted, never the
 * `status` text, which differs between LXD versions ("Operation created" vs "OK").
 */
export function decodeEnvelope(res: RawResponse, endpoint: string, object: string): Envelope {
    let body: Record<string, unknown> | undefined;
    try {
        body = JSON.parse(res.body.toString("utf8")) as Record<string, unknown>;
    } catch {
        body = undefined;
    }
    if (!body || typeof body !== "object") {
        const text = res.body.toString("utf8").trim().slice(0, 200) || "(empty answer)";
        throw new LxdError(res.status, endpoint, object, `not an LXD API answer: ${text}`);
    }
    if (body.type === "error" || res.status >= 400) {
        const code = typeof body.error_code === "number" && body.error_code > 0 ? body.error_code : res.status;
        const message = typeof body.error === "string" && body.error !== "" ? body.error : `HTTP ${res.status}`;
        throw new LxdError(code, endpoint, object, message);
    }
    if (body.type === "async") {
        const operation = body.metadata as Operation | null;
        if (!operation || typeof operation.id !== "string") {
            throw new LxdError(res.status, endpoint, object, "an async answer without its operation");
        }
        return { type: "async", operation };
    }
    if (body.type === "sync") {
        const etag = res.headers.etag;
        return { type: "sync", metadata: body.metadata, etag: typeof etag === "string" ? etag : undefined };
    }
    throw new LxdError(res.status, endpoint, object, `unexpected answer type ${JSON.stringify(body.type)}`);
}
