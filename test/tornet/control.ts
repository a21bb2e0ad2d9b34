import * as fs from "node:fs";
import * as net from "node:net";

/** A reply or an asynchronous event from Tor's control protocol: its status code and lines. */
export interface ControlReply {
    code: number;
    lines: string[];
}

/**
 * A minimal client for Tor's control protocol (control-spec.txt) over a ControlSocket with
 * cookie authentication: commands answered in order, asynchronous (650) events to listeners.
 */
export class TorControl {
    private buffer = "";
    private current: ControlReply | undefined;
    private data: string[] | undefined;
    private readonly pending: { resolve: (r: ControlReply) => void; reject: (e: Error) => void }[] = [];
    private readonly listeners = new Set<(event: ControlReply) => void>();
    private closed: Error | undefined;

    private constructor(private readonly socket: net.Socket) {
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => this.receive(chunk));
        const fail = (error: Error) => {
            this.closed = error;
            for (const p of this.pending.splice(0)) p.reject(error);
        };
        socket.on("error", fail);
        socket.on("close", () => fail(new Error("the Tor control connection closed")));
    }

    /** Connects to `socketPath` and authenticates with the cookie in `cookieFile`. */
    static async connect(socketPath: string, cookieFile: string): Promise<TorControl> {
        const cookie = fs.readFileSync(cookieFile).toString("hex");
        const socket = await new Promise<net.Socket>((resolve, reject) => {
            const s = net.createConnection(socketPath);
            s.once("connect", () => resolve(s));
            s.once("error", reject);
        });
        const control = new TorControl(socket);
        try {
            await control.command(`AUTHENTICATE ${cookie}`);
        } catch (e) {
            control.close();
            throw e;
        }
        return control;
    }

    /** Sends one command; resolves with its reply, rejects on a non-2xx status. */
    command(line: string): Promise<ControlReply> {
        if (this.closed) return Promise.reject(this.closed);
        return new Promise((resolve, reject) => {
            this.pending.push({
                resolve: (r) => (r.code >= 200 && r.code < 300 ? resolve(r) : reject(new Error(`Tor refused "${line.split(" ")[0]}": ${r.code} ${r.lines.join(" / ")}`))),
                reject,
            });
            this.socket.write(`${line}\r\n`);
        });
    }

    /** `GETINFO key`: the value of one key. */
    async getInfo(key: string): Promise<string> {
        const reply = await this.command(`GETINFO ${key}`);
        const line = reply.lines.find((l) => l.startsWith(`${key}=`));
        if (line === undefined) throw new Error(`GETINFO ${key}: no value in ${JSON.stringify(reply.lines)}`);
        return line.slice(key.length + 1);
    }

    /** Calls `listener` with every asynchronous event (after SETEVENTS); returns an unsubscribe. */
    onEvent(listener: (event: ControlReply) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    close(): void {
        this.socket.destroy();
    }

    private receive(chunk: string): void {
        this.buffer += chunk;
        let end: number;
        while ((end = this.buffer.indexOf("\r\n")) >= 0) {
            const line = this.buffer.slice(0, end);
            this.buffer = this.buffer.slice(end + 2);
            this.line(line);
        }
    }

    private line(line: string): void {
        if (this.data) {
            // A data block ("250+key=" ... ".") belongs to the reply line that opened it.
            if (line === ".") {
                this.current!.lines.push(this.data.join("\n"));
                this.data = undefined;
            } else this.data.push(line.startsWith("..") ? line.slice(1) : line);
            return;
        }
        const code = Number(line.slice(0, 3));
        const separator = line[3];
        this.current ??= { code, lines: [] };
        if (separator === "+") {
            this.data = [line.slice(4)];
            return;
        }
        this.current.lines.push(line.slice(4));
        if (separator !== " ") return;
        const reply = this.current;
        this.current = undefined;
        if (reply.code === 650) for (const l of this.listeners) l(reply);
        else this.pending.shift()?.resolve(reply);
    }
}
