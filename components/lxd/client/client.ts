import * as https from "node:https";
import { Endpoint, ResolvedEndpoint, resolveEndpoint } from "./endpoint";
import { Envelope, Operation, decodeEnvelope } from "./envelope";
import { LxdError, describeObject, isLxdError, messageOf } from "./errors";
import { operationId, operationOutcome } from "./operations";
import { fetchPeerCertificate, pinnedAgent } from "./tls";
import { RawRequest, RawResponse, Target, send } from "./transport";

/** What `GET /1.0` says about the server and about us. */
export interface ServerInfo {
    auth: "trusted" | "untrusted";
    api_extensions: string[];
    environment?: { server_version?: string; server_name?: string; certificate_fingerprint?: string };
}

/** Options of one API call. */
export interface CallOptions {
    /** JSON body. */
    body?: unknown;
    /** Sent as `If-Match` (PUT/PATCH): LXD refuses with 412 when the object changed since. */
    etag?: string;
    /** Extra headers. */
    headers?: Record<string, string>;
    /** The object named in errors; default derived from the path. */
    object?: string;
    /** Seconds to wait for an async operation to finish (default 300). */
    timeoutSeconds?: number;
}

/** Default seconds for one request to be answered. */
const requestSeconds = 120;
/** Longest single `/wait` call; longer waits are several calls, so a lost answer costs little. */
const waitSliceSeconds = 30;

/**
 * A small LXD REST client: the unix socket or HTTPS with a client certificate and a pinned
 * server certificate; sync, async and error envelopes; operations waited for with
 * `/wait?timeout=` and judged by their status code; ETags on updates. Errors are
 * {@link LxdError}s naming the endpoint, the object and LXD's own message.
 */
export class LxdClient {
    /** The endpoint's URL, as named in every error. */
    public readonly url: string;
    private readonly endpoint: ResolvedEndpoint;
    private target?: Promise<Target>;
    private agent?: https.Agent;
    private server?: Promise<ServerInfo>;

    constructor(endpoint: Endpoint = {}) {
        this.endpoint = resolveEndpoint(endpoint);
        this.url = this.endpoint.url;
    }

    /**
     * Reads `GET /1.0` once and insists that we are trusted: an untrusted client sees only
     * public endpoints, which would surface later as baffling 403s and 404s.
     */
    public connect(): Promise<ServerInfo> {
        this.server ??= (async () => {
            const info = await this.get<ServerInfo>("/1.0", { object: "the server" });
            if (info.auth !== "trusted") {
                throw new LxdError(
                    403,
                    this.url,
                    "the client certificate",
                    "LXD does not trust it; add it on the server with `lxc config trust add <cert>` " +
                        "or POST /1.0/certificates over the unix socket",
                );
            }
            return info;
        })();
        this.server.catch(() => (this.server = undefined));
        return this.server;
    }

    /** A sync call's metadata. */
    public async get<T>(path: string, opts: CallOptions = {}): Promise<T> {
        return (await this.getWithEtag<T>(path, opts)).metadata;
    }

    /** A sync call's metadata and the object's ETag (absent on collections and, on 5.0.2, pools). */
    public async getWithEtag<T>(path: string, opts: CallOptions = {}): Promise<{ metadata: T; etag?: string }> {
        const env = await this.call("GET", path, opts);
        if (env.type !== "sync") {
            throw new LxdError(0, this.url, opts.object ?? describeObject(path), "GET answered with an operation");
        }
        return { metadata: env.metadata as T, etag: env.etag };
    }

    /** True when the object exists, false on 404; other errors are thrown. */
    public async exists(path: string, opts: CallOptions = {}): Promise<boolean> {
        try {
            await this.call("GET", path, opts);
            return true;
        } catch (err) {
            if (isLxdError(err, 404)) {
                return false;
            }
            throw err;
        }
    }

    /**
     * Any call that may answer sync or async (POST/PUT/PATCH/DELETE). An async answer is
     * waited for; the result is the finished operation, or undefined when it was sync or
     * when the operation was already forgotten (LXD drops finished operations after a
     * few seconds: re-read the object to learn the outcome).
     */
    public async run(method: string, path: string, opts: CallOptions = {}): Promise<Operation | undefined> {
        const env = await this.call(method, path, opts);
        if (env.type === "sync") {
            return undefined;
        }
        return this.wait(env.operation, opts);
    }

    /**
     * Waits for an operation: `/wait?timeout=` in slices, checking `metadata.status_code`
     * each time. Failure and cancellation throw with LXD's message; a 404 means the
     * operation finished and was dropped, and gives undefined.
     */
    public async wait(op: Operation | string, opts: CallOptions = {}): Promise<Operation | undefined> {
        const id = operationId(op);
        const object = opts.object ?? (typeof op === "string" ? `operation ${id}` : describeObjectOf(op));
        const deadline = Date.now() + (opts.timeoutSeconds ?? 300) * 1000;
        for (;;) {
            const left = Math.ceil((deadline - Date.now()) / 1000);
            const slice = Math.max(1, Math.min(waitSliceSeconds, left));
            let current: Operation;
            try {
                current = await this.get<Operation>(`/1.0/operations/${id}/wait?timeout=${slice}`, {
                    object,
                    timeoutSeconds: slice,
                });
            } catch (err) {
                if (isLxdError(err, 404)) {
                    return undefined;
                }
                throw err;
            }
            switch (operationOutcome(current)) {
                case "succeeded":
                    return current;
                case "failed":
                    throw new LxdError(400, this.url, object, current.err || "the operation failed");
                case "cancelled":
                    throw new LxdError(401, this.url, object, current.err || "the operation was cancelled");
                case "running":
                    if (Date.now() >= deadline) {
                        throw new LxdError(0, this.url, object, `still ${current.status} after ${opts.timeoutSeconds ?? 300} s (operation ${id})`);
                    }
            }
        }
    }

    /** One call, decoded: sync metadata or the async operation (not waited for). */
    public async call(method: string, path: string, opts: CallOptions = {}): Promise<Envelope> {
        const headers: Record<string, string> = { ...(opts.headers ?? {}) };
        let body: Buffer | undefined;
        if (opts.body !== undefined) {
            body = Buffer.from(JSON.stringify(opts.body));
            headers["Content-Type"] = "application/json";
        }
        if (opts.etag) {
            headers["If-Match"] = opts.etag;
        }
        const res = await this.raw({ method, path, headers, body, timeoutMs: timeoutFor(opts) }, opts.object);
        return decodeEnvelope(res, this.url, opts.object ?? describeObject(path));
    }

    /**
     * One request as is (file contents, exec logs, uploads). Transport failures become
     * LxdErrors with status 0 that say the endpoint could not be reached.
     */
    public async raw(req: RawRequest, object?: string): Promise<RawResponse> {
        const target = await this.connectTarget();
        try {
            return await send(target, req);
        } catch (err) {
            const reason = messageOf(err);
            throw new LxdError(0, this.url, object ?? describeObject(req.path), `cannot reach LXD: ${reason}`);
        }
    }

    /** Releases the HTTPS agent's sockets; the client stays usable. */
    public close(): void {
        this.agent?.destroy();
    }

    /** The socket path, or the HTTPS agent after checking the server's certificate against the pin. */
    public connectTarget(): Promise<Target> {
        const e = this.endpoint;
        if (e.kind === "unix") {
            return Promise.resolve({ socketPath: e.socketPath });
        }
        this.target ??= (async () => {
            let peer;
            try {
                peer = await fetchPeerCertificate(e.host, e.port, 10_000);
            } catch (err) {
                const reason = messageOf(err);
                throw new LxdError(0, this.url, "the server", `cannot reach LXD: ${reason}`);
            }
            if (peer.fingerprint !== e.serverFingerprint) {
                throw new LxdError(
                    0,
                    this.url,
                    "the server certificate",
                    `its fingerprint ${peer.fingerprint} is not the pinned ${e.serverFingerprint}; ` +
                        "if the server was rebuilt, pin its new fingerprint, otherwise someone else is answering",
                );
            }
            this.agent = pinnedAgent({
                clientCertificate: e.clientCertificate,
                clientKey: e.clientKey,
                serverPem: peer.pem,
                fingerprint: e.serverFingerprint,
            });
            return { host: e.host, port: e.port, agent: this.agent };
        })();
        this.target.catch(() => (this.target = undefined));
        return this.target;
    }
}

/** Milliseconds to allow for a call: its own wait plus the usual answer time. */
function timeoutFor(opts: CallOptions): number {
    return ((opts.timeoutSeconds ?? 0) + requestSeconds) * 1000;
}

/** An operation's object for errors: the first resource it touches, else its description. */
function describeObjectOf(op: Operation): string {
    for (const paths of Object.values(op.resources ?? {})) {
        if (paths && paths.length > 0) {
            return describeObject(paths[0]);
        }
    }
    return op.description ? `operation "${op.description}"` : `operation ${op.id}`;
}
