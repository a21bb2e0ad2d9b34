// A small Electrum protocol client for tests: newline-delimited JSON-RPC over a TCP
// connection opened through a SOCKS5 proxy (a Tor client), the host name resolved by the
// proxy (RFC 1928, ATYP 3), so .onion addresses work.
import * as net from "node:net";

/** An error answer of the server: its JSON-RPC code and message. */
export class ElectrumError extends Error {
    constructor(
        readonly code: number,
        message: string,
    ) {
        super(message);
    }
}

export interface ElectrumSession {
    request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
    close(): void;
}

/** Reads exactly `n` bytes of the SOCKS handshake. */
function readBytes(socket: net.Socket, n: number, buffered: { data: Buffer }): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const done = () => {
            socket.off("data", onData);
            socket.off("error", reject);
            socket.off("close", onClose);
        };
        const onData = (chunk: Buffer) => {
            buffered.data = Buffer.concat([buffered.data, chunk]);
            if (buffered.data.length >= n) {
                done();
                const out = buffered.data.subarray(0, n);
                buffered.data = buffered.data.subarray(n);
                resolve(out);
            }
        };
        const onClose = () => {
            done();
            reject(new Error("the SOCKS proxy closed the connection"));
        };
        if (buffered.data.length >= n) {
            const out = buffered.data.subarray(0, n);
            buffered.data = buffered.data.subarray(n);
            return resolve(out);
        }
        socket.on("data", onData);
        socket.once("error", reject);
        socket.once("close", onClose);
    });
}

/** Opens a TCP stream to host:port through the SOCKS5 proxy `socks` (`host:port`), no authentication. */
export async function socksConnect(socks: string, host: string, port: number, timeoutMs = 60_000): Promise<net.Socket> {
    const [proxyHost, proxyPort] = [socks.slice(0, socks.lastIndexOf(":")), Number(socks.slice(socks.lastIndexOf(":") + 1))];
    const socket = net.connect(proxyPort, proxyHost);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer through ${socks} within ${timeoutMs} ms`)));
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const buffered = { data: Buffer.alloc(0) };
    socket.write(Buffer.from([5, 1, 0]));
    const method = await readBytes(socket, 2, buffered);
    if (method[0] !== 5 || method[1] !== 0) throw new Error(`SOCKS proxy ${socks} wants authentication (${method.toString("hex")})`);
    const name = Buffer.from(host);
    socket.write(Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, Buffer.from([port >> 8, port & 0xff])]));
    const head = await readBytes(socket, 4, buffered);
    if (head[1] !== 0) {
        socket.destroy();
        // Tor's extended errors (0xF0-0xF7) say why an onion service could not be reached, e.g. 0xF5 "missing client authorization".
        throw new Error(`SOCKS connect to ${host}:${port} refused: reply 0x${head[1].toString(16)}`);
    }
    const addressLength = head[3] === 1 ? 4 : head[3] === 4 ? 16 : (await readBytes(socket, 1, buffered))[0];
    await readBytes(socket, addressLength + 2, buffered);
    socket.setTimeout(0);
    // Paused until the caller listens: nothing the server sends is dropped in between.
    socket.pause();
    if (buffered.data.length > 0) socket.unshift(buffered.data);
    return socket;
}

/** An Electrum session to `host:port`, through the SOCKS5 proxy `socks` when given; answers are matched to requests by id. */
export async function electrumSession(socks: string | undefined, host: string, port: number): Promise<ElectrumSession> {
    const socket = socks !== undefined ? await socksConnect(socks, host, port) : await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(port, host, () => resolve(s)).once("error", reject);
    });
    const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let nextId = 1;
    let pending = "";
    const failAll = (err: Error) => {
        for (const w of waiting.values()) w.reject(err);
        waiting.clear();
    };
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
        pending += chunk;
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
            const line = pending.slice(0, newline);
            pending = pending.slice(newline + 1);
            const msg = JSON.parse(line) as { id?: number; result?: unknown; error?: { code: number; message: string } };
            const w = msg.id !== undefined ? waiting.get(msg.id) : undefined;
            if (!w) continue; // a notification
            waiting.delete(msg.id!);
            if (msg.error) w.reject(new ElectrumError(msg.error.code, msg.error.message));
            else w.resolve(msg.result);
        }
    });
    socket.on("error", failAll);
    socket.on("close", () => failAll(new Error("the server closed the connection")));
    socket.resume();
    return {
        request<T>(method: string, params: unknown[] = []) {
            const id = nextId++;
            return new Promise<T>((resolve, reject) => {
                waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
                socket.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
            });
        },
        close: () => socket.destroy(),
    };
}
