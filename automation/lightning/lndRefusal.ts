// bcm-lnd-start refuses a volume whose wallet belongs to another seed, with one line, and
// changes nothing; the swarm then restarts the task until the deploy gives up, and the
// provider removes the service that never converged, logs and all. So while a deploy runs,
// the lnd service's log is watched for that line, and a failed deploy says it (in one line,
// naming the fix) instead of the engine's time-out.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { CliError } from "../cli/errors";

/** bcm-lnd-start's one-line errors (services/lnd/README.md: `NAME: error: ...; fix: ...`). */
export function lndStartError(log: string): string | undefined {
    return log
        .split("\n")
        .map((l) => l.trim())
        .find((l) => /^bcm-lnd-start: error: .+; fix: /.test(l));
}

/** The gateway's docker socket the deploy makes (the stack's bcm:dockerSocketDir, or its default). */
export function dockerSocketDir(config: Record<string, string>, cluster: string, home: string = process.env.BCM_HOME ?? path.join(os.homedir(), ".bcm")): string {
    return config["bcm:dockerSocketDir"] ?? path.join(home, "sockets", cluster);
}

/** Watches lnd-<chain>'s log during a deploy; `stop()` returns the refusal seen, if any. */
export function watchLndRefusal(config: Record<string, string>, cluster: string, home: string): { stop(): Promise<string | undefined> } {
    const tiers = Object.keys(JSON.parse(config["bcm:tiers"] ?? "{}") as Record<string, unknown>);
    if (!tiers.includes("bitcoin")) return { stop: async () => undefined };
    const service = `lnd-${config["bcm:chain"] ?? "regtest"}`;
    const dir = dockerSocketDir(config, cluster, home);
    let seen: string | undefined;
    let running = true;
    const poll = async () => {
        while (running && !seen) {
            const socket = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => /^bcm-gateway-\d+\.sock$/.test(f)) : undefined;
            if (socket) {
                const r = await execa("docker", ["-H", `unix://${path.join(dir, socket)}`, "service", "logs", "--raw", "--tail", "50", service], { reject: false, stdin: "ignore", timeout: 20_000 });
                seen = lndStartError(`${r.stdout}\n${r.stderr}`);
            }
            if (!seen) await new Promise((r) => setTimeout(r, 5000));
        }
    };
    const done = poll().catch(() => undefined);
    return {
        stop: async () => {
            running = false;
            await done;
            return seen;
        },
    };
}

/** Runs a deploy with the watch; a failed deploy that lnd refused fails with lnd's line. */
export async function withLndRefusal<T>(config: Record<string, string>, cluster: string, home: string, deploy: () => Promise<T>): Promise<T> {
    const watch = watchLndRefusal(config, cluster, home);
    try {
        const out = await deploy();
        await watch.stop();
        return out;
    } catch (err) {
        const refusal = await watch.stop();
        if (refusal) throw new CliError(`lnd refused to start: ${refusal}`);
        throw err;
    }
}
