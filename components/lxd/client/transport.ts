import * as http from "node:http";
import * as https from "node:https";
import { Readable } from "node:stream";

/** One HTTP request to LXD, before any envelope handling. */
export interface RawRequest {
    method: string;
    /** The API path with its query, e.g. `/1.0/instances/c1?recursion=1`. */
    path: string;
    headers?: Record<string, string>;
    /** A buffer, or a stream of `contentLength` bytes (image uploads). */
    body?: Buffer | Readable;
    contentLength?: number;
    /** Give up when no complete answer arrives within this many milliseconds. */
    timeoutMs: number;
}

/** The daemon's answer: status, headers and the whole body. */
export interface RawResponse {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
}

/** How to reach the daemon: a unix socket path, or an HTTPS address with its agent. */
export type Target = { socketPath: string } | { host: string; port: number; agent: https.Agent };

/**
 * Sends one request with Node's own http/https modules (no websocket library: exec uses
 * record-output mode) and collects the whole answer. Failures to connect or to answer in
 * time reject with Node's error; HTTP error statuses resolve like any other answer.
 */
export function send(target: Target, req: RawRequest): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
        const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
        if (Buffer.isBuffer(req.body)) {
            headers["Content-Length"] = req.body.length;
        } else if (req.body && req.contentLength !== undefined) {
            headers["Content-Length"] = req.contentLength;
        }
        const options = { method: req.method, path: req.path, headers };
        const request =
            "socketPath" in target
                ? http.request({ ...options, socketPath: target.socketPath, host: "lxd" })
                : https.request({ ...options, host: target.host, port: target.port, agent: target.agent });
        const timer = setTimeout(
            () => request.destroy(new Error(`no answer within ${Math.round(req.timeoutMs / 1000)} s`)),
            req.timeoutMs,
        );
        request.once("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
        request.once("response", (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.once("error", (err) => {
                clearTimeout(timer);
                reject(err);
            });
            res.once("end", () => {
                clearTimeout(timer);
                resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
            });
        });
        if (req.body instanceof Readable) {
            req.body.once("error", (err) => request.destroy(err));
            req.body.pipe(request);
        } else {
            request.end(req.body);
        }
    });
}
