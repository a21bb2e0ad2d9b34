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
