// Helpers the integration tests share: the host's docker CLI and polling with a deadline.
import { execa } from "execa";

/** `docker ARGS…` on the host's dockerd: its trimmed stdout, or an error with its stderr. */
export async function docker(...args: string[]): Promise<string> {
    const r = await execa("docker", args, { reject: false, stdin: "ignore" });
    if (r.exitCode !== 0) throw new Error(`docker ${args.join(" ")} failed (${r.exitCode}): ${r.stderr}`);
    return r.stdout.trim();
}

/**
 * Polls until `check` returns a value (not undefined), every `intervalMs`; fails after
 * `seconds` naming `what` and the last error `check` threw.
 */
export async function waitFor<T>(what: string, seconds: number, check: () => Promise<T | undefined>, intervalMs = 500): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    let last: unknown;
    while (Date.now() < deadline) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch (e) {
            last = e;
        }
        await new Promise((r) => setTimeout(r, intervalMs));
    }
    throw new Error(`timed out after ${seconds}s waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ""}`);
}

/** The last line of a command's output (build scripts print their JSON there). */
export const lastLine = (s: string) => s.trim().split("\n").pop() ?? "";

/**
 * What the secret checks read of the swarm's tasks: on each tier container, `docker inspect`
 * of every task container and `docker logs` of each (those that ended too). Read from the
 * nodes, not with `docker service logs`, which hangs at times and never returns (docker/cli#4678).
 */
export async function taskTexts(containers: string[]): Promise<Record<string, string>> {
    const texts: Record<string, string> = {};
    for (const c of containers) {
        const script = 'docker inspect $(docker ps -aq) 2>/dev/null; for t in $(docker ps -aq); do docker logs "$t" 2>&1; done';
        texts[`tasks ${c}`] = (await execa("lxc", ["exec", c, "--", "sh", "-c", script], { stdin: "ignore", reject: false, timeout: 300_000 })).stdout;
    }
    return texts;
}
