// Ends the LXD provider when the engine that started it is gone. The engine passes its
// gRPC address as the last argument and starts the plugin in a process group of its own;
// when the engine is killed nothing tells the plugin, which would live on (reparented to
// init, ~170 MB) with no one to serve. @pulumi/pulumi's provider server has no health
// check, so this one polls with a TCP connect every second, as the project's Go plugins do
// (toolchain/enginewatch): a live engine always accepts, a dead one's port refuses.
import * as net from "node:net";

/** The engine's address among a plugin's arguments: the last positional one (`--tracing <url>` carries a value). */
export function engineAddressOf(args: string[]): string | undefined {
    let address: string | undefined;
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === "--tracing" || a === "-tracing") i++;
        else if (!a.startsWith("-")) address = a;
    }
    return address;
}

/** Whether something accepts connections at host:port. */
export function alive(address: string, timeoutMs: number): Promise<boolean> {
    const at = address.lastIndexOf(":");
    return new Promise((resolve) => {
        const socket = net.connect({ host: address.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(address.slice(at + 1)) });
        const done = (ok: boolean) => {
            socket.destroy();
            resolve(ok);
        };
        socket.setTimeout(timeoutMs, () => done(false));
        socket.once("connect", () => done(true));
        socket.once("error", () => done(false));
    });
}

/**
 * Polls the address every `everyMs` and calls `gone` once after `misses` failed connects in
 * a row. The timer never keeps the process alive by itself. Returns a function that stops it.
 */
export function watchEngine(address: string | undefined, gone: () => void, everyMs = 1000, misses = 3): () => void {
    if (!address) return () => undefined;
    let missed = 0;
    let busy = false;
    const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        void alive(address, everyMs).then((ok) => {
            busy = false;
            missed = ok ? 0 : missed + 1;
            if (missed >= misses) {
                clearInterval(timer);
                gone();
            }
        });
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
}
