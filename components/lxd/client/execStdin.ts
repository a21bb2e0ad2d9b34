import WebSocket from "ws";
import { LxdClient } from "./client";
import { LxdError } from "./errors";
import { ExecOptions, ExecResult } from "./exec";
import { Target } from "./transport";

/** Options of {@link execWithStdin}: those of exec, and what the command reads on stdin. */
export interface StdinExecOptions extends ExecOptions {
    /** The bytes the command reads on its standard input, then end of file. */
    stdin: Buffer;
}

/** Seconds to wait for the output streams to end once the command has exited. */
const drainSeconds = 30;

/** One of the operation's websockets: `/1.0/operations/<id>/websocket?secret=…`, over the client's own transport. */
function openSocket(target: Target, operation: string, secret: string): Promise<WebSocket> {
    const path = `/1.0/operations/${encodeURIComponent(operation)}/websocket?secret=${encodeURIComponent(secret)}`;
    const ws =
        "socketPath" in target
            ? new WebSocket(`ws+unix://${target.socketPath}:${path}`)
            : new WebSocket(`wss://${target.host}:${target.port}${path}`, { agent: target.agent });
    return new Promise((resolve, reject) => {
        ws.once("open", () => resolve(ws));
        ws.once("error", reject);
    });
}

/** Collects a stream's binary messages until LXD's barrier (an empty text message) or the socket's close. */
function collect(ws: WebSocket): Promise<Buffer> {
    const chunks: Buffer[] = [];
    return new Promise((resolve) => {
        const done = () => resolve(Buffer.concat(chunks));
        ws.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
            if (!isBinary) return done();
            chunks.push(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer));
        });
        ws.once("close", done);
        ws.once("error", done);
    });
}

/**
 * Runs a command in an instance with bytes on its standard input, over LXD's websocket exec
 * API (`wait-for-websocket: true`, not interactive): LXD hands out one secret per stream
 * (0, 1, 2 and control) and starts the command once all four are connected. stdin is sent as
 * binary messages ended by LXD's barrier (an empty text message: end of file); stdout and
 * stderr come back the same way. Nothing of stdin reaches a command line, the environment,
 * a file or LXD's operation record, so this is how secrets go into an instance. The exit
 * code is the finished operation's `metadata.return`; a non-zero exit is a result.
 */
export async function execWithStdin(client: LxdClient, instance: string, command: string[], opts: StdinExecOptions): Promise<ExecResult> {
    const object = `exec of ${JSON.stringify(command.join(" "))} in instance ${instance}`;
    const env = await client.call("POST", `/1.0/instances/${encodeURIComponent(instance)}/exec`, {
        object,
        body: {
            command,
            environment: opts.environment ?? {},
            cwd: opts.cwd,
            user: opts.user,
            group: opts.group,
            interactive: false,
            "wait-for-websocket": true,
            "record-output": false,
        },
    });
    if (env.type !== "async") throw new LxdError(0, client.url, object, "LXD answered the exec synchronously; it has no websocket exec");
    const op = env.operation;
    const fds = ((op.metadata ?? {}) as { fds?: Record<string, string> }).fds ?? {};
    if (!fds["0"] || !fds["1"] || !fds["2"] || !fds.control) throw new LxdError(0, client.url, object, "the exec operation has no stream secrets (fds 0, 1, 2, control)");
    const target = await client.connectTarget();
    const sockets: WebSocket[] = [];
    try {
        const [control, stdin, stdout, stderr] = await Promise.all(["control", "0", "1", "2"].map((fd) => openSocket(target, op.id, fds[fd]!)));
        sockets.push(control!, stdin!, stdout!, stderr!);
        const out = collect(stdout!);
        const err = collect(stderr!);
        await new Promise<void>((resolve, reject) => stdin!.send(opts.stdin, { binary: true }, (e) => (e ? reject(e) : resolve())));
        await new Promise<void>((resolve, reject) => stdin!.send("", { binary: false }, (e) => (e ? reject(e) : resolve())));
        const finished = await client.wait(op.id, { object, timeoutSeconds: opts.timeoutSeconds ?? 300 });
        const code = finished?.metadata?.return;
        if (typeof code !== "number") throw new LxdError(0, client.url, object, "the exec operation ended without an exit code (it was forgotten before we read it)");
        const drained = (p: Promise<Buffer>) =>
            Promise.race([p, new Promise<Buffer>((_, reject) => setTimeout(() => reject(new LxdError(0, client.url, object, `its output did not end within ${drainSeconds} s of its exit`)), drainSeconds * 1000).unref())]);
        const [stdoutBytes, stderrBytes] = await Promise.all([drained(out), drained(err)]);
        return { exitCode: code, stdout: stdoutBytes.toString("utf8"), stderr: stderrBytes.toString("utf8") };
    } finally {
        for (const s of sockets) s.terminate();
    }
}
