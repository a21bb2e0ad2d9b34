import { LxdClient } from "./client";
import { LxdError, isLxdError } from "./errors";

/** How a command ran inside an instance. */
export interface ExecResult {
    exitCode: number;
    stdout: string;
    stderr: string;
}

/** Options of {@link exec}. */
export interface ExecOptions {
    /** Environment variables; LXD sets PATH, HOME, LANG and USER unless given. */
    environment?: Record<string, string>;
    /** Working directory inside the instance. */
    cwd?: string;
    /** Numeric uid/gid: LXD never reads the instance's /etc/passwd. */
    user?: number;
    group?: number;
    /** Seconds to wait for the command (default 300). */
    timeoutSeconds?: number;
}

/**
 * Runs a command in an instance without websockets: `wait-for-websocket:false` and
 * `record-output:true` make LXD write stdout and stderr to log files. The exit code is the
 * finished operation's `metadata.return`; the logs are fetched from the URLs in
 * `metadata.output` (their path differs between LXD versions, so never built here) and
 * deleted afterwards. There is no stdin. A non-zero exit is a result, not an error.
 */
export async function exec(client: LxdClient, instance: string, command: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const object = `exec of ${JSON.stringify(command.join(" "))} in instance ${instance}`;
    const op = await client.run("POST", `/1.0/instances/${encodeURIComponent(instance)}/exec`, {
        object,
        timeoutSeconds: opts.timeoutSeconds ?? 300,
        body: {
            command,
            environment: opts.environment ?? {},
            cwd: opts.cwd,
            user: opts.user,
            group: opts.group,
            interactive: false,
            "wait-for-websocket": false,
            "record-output": true,
        },
    });
    const meta = op?.metadata;
    if (!meta || typeof meta.return !== "number") {
        throw new LxdError(0, client.url, object, "the exec operation ended without an exit code (it was forgotten before we read it)");
    }
    const output = (meta.output ?? {}) as Record<string, string>;
    const [stdout, stderr] = await Promise.all([readLog(client, output["1"], object), readLog(client, output["2"], object)]);
    return { exitCode: meta.return, stdout, stderr };
}

/** Fetches one recorded output file and deletes it; a missing file is empty output. */
async function readLog(client: LxdClient, url: string | undefined, object: string): Promise<string> {
    if (!url) {
        return "";
    }
    const res = await client.raw({ method: "GET", path: url, timeoutMs: 60_000 }, object);
    if (res.status === 404) {
        return "";
    }
    if (res.status >= 400) {
        throw new LxdError(res.status, client.url, object, `cannot read ${url}: ${res.body.toString("utf8").slice(0, 200)}`);
    }
    try {
        await client.run("DELETE", url, { object });
    } catch (err) {
        if (!isLxdError(err, 404)) {
            throw err;
        }
    }
    return res.body.toString("utf8");
}
