import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";

/** A request the fake daemon received. */
export interface SeenRequest {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
}

/** The fake's answer to one request. */
export interface FakeAnswer {
    status?: number;
    headers?: Record<string, string>;
    /** An object is sent as JSON; a Buffer or string as is. */
    body?: unknown;
}

/** Answers a request, or returns undefined for "no such route" (404 error envelope). */
export type FakeRoute = (req: SeenRequest) => FakeAnswer | undefined;

/** LXD's envelopes, as the fake sends them. */
export const envelope = {
    sync: (metadata: unknown): FakeAnswer => ({
        body: { type: "sync", status: "Success", status_code: 200, operation: "", error_code: 0, error: "", metadata },
    }),
    async: (id: string, metadata: Record<string, unknown> = {}): FakeAnswer => ({
        status: 202,
        headers: { Location: `/1.0/operations/${id}` },
        body: {
            type: "async",
            status: "Operation created",
            status_code: 100,
            operation: `/1.0/operations/${id}`,
            metadata: { id, class: "task", status: "Running", status_code: 103, err: "", metadata, resources: {} },
        },
    }),
    error: (code: number, error: string): FakeAnswer => ({
        status: code,
        body: { type: "error", error, error_code: code, metadata: null },
    }),
    /** An operation as `/wait` returns it: finished (200), failed (400), cancelled (401) or running (103). */
    operation: (id: string, statusCode: number, metadata: Record<string, unknown> = {}, err = ""): FakeAnswer =>
        envelope.sync({ id, class: "task", status: String(statusCode), status_code: statusCode, err, metadata, resources: {} }),
};

/**
 * A tiny stand-in for the LXD daemon: an HTTP server on a unix socket in a temp directory,
 * answering with the given route function and recording every request, for fast unit
 * tests of the client's envelope, operation and upload handling.
 */
export class FakeLxd {
    public readonly requests: SeenRequest[] = [];
    public readonly socketPath: string;
    private readonly dir: string;
    private readonly server: http.Server;

    private constructor(route: FakeRoute) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-fake-lxd-"));
        this.socketPath = path.join(this.dir, "unix.socket");
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const seen = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
                this.requests.push(seen);
                const answer = route(seen) ?? envelope.error(404, "not found");
                const isRaw = Buffer.isBuffer(answer.body) || typeof answer.body === "string";
                const body = isRaw ? Buffer.from(answer.body as string) : Buffer.from(JSON.stringify(answer.body ?? {}));
                res.writeHead(answer.status ?? 200, {
                    "Content-Type": isRaw ? "application/octet-stream" : "application/json",
                    ...(answer.headers ?? {}),
                });
                res.end(body);
            });
        });
    }

    /** Starts a fake on a fresh socket. */
    public static async start(route: FakeRoute): Promise<FakeLxd> {
        const fake = new FakeLxd(route);
        await new Promise<void>((resolve) => fake.server.listen(fake.socketPath, resolve));
        return fake;
    }

    /** The endpoint URL to give the client. */
    public get url(): string {
        return `unix://${this.socketPath}`;
    }

    /** The requests to paths starting with the prefix, as `METHOD path`. */
    public seen(prefix = ""): string[] {
        return this.requests.filter((r) => r.path.startsWith(prefix)).map((r) => `${r.method} ${r.path}`);
    }

    public async stop(): Promise<void> {
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
