// After an update: the data center is healthy within the stated time, or the update failed.
// Healthy: every swarm service has all its replicas, and no health check of its services
// FAILs (Tor, the node, lnd, Kafka; disks and backups are not the update's doing), twice in a
// row, 10 s apart. A Tor still below 100% after half the time counts as failed.
import { execa } from "execa";
import { healthReport, HealthOptions } from "../health/report";
import type { Verdict } from "../health/verdict";
import type { ClusterContext } from "../cluster/workspace";

/** Services short of replicas, from `docker service ls --format '{{.Name}} {{.Replicas}}'` (pure). */
export function servicesShort(lines: string): string[] {
    return lines
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "")
        .flatMap((l) => {
            const [name, replicas] = l.split(/\s+/);
            const m = /^(\d+)\/(\d+)/.exec(replicas ?? "");
            return m && m[1] !== m[2] ? [`${name} ${m[1]}/${m[2]}`] : [];
        });
}

/** The verdicts an update answers for (pure): not disks or backups; not Tor when it is offline by setting. */
export function gateFailures(verdicts: Verdict[]): Verdict[] {
    return verdicts.filter((v) => v.level === "FAIL" && !/^(pool|volume) |^backup$/.test(v.check) && !(v.check === "tor" && v.reason.startsWith("DisableNetwork")));
}

export async function waitHealthy(cluster: string, dockerHost: string | undefined, seconds: number, ctx: ClusterContext, opened?: HealthOptions["opened"]): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    let last = "not checked yet";
    let good = 0;
    ctx.say(`[bcm snapshots] waiting up to ${seconds} s for ${cluster} to be healthy`);
    while (Date.now() < deadline) {
        const problems: string[] = [];
        if (dockerHost) {
            const r = await execa("docker", ["-H", dockerHost, "service", "ls", "--format", "{{.Name}} {{.Replicas}}"], { reject: false, stdin: "ignore", timeout: 60_000 });
            if (r.exitCode !== 0) problems.push(`the swarm does not answer: ${String(r.stderr).split("\n")[0]}`);
            else problems.push(...servicesShort(String(r.stdout)).map((s) => `service ${s}`));
        }
        if (problems.length === 0) {
            const report = await healthReport(cluster, ctx, { onions: false, disks: false, torGraceSeconds: Math.max(30, Math.floor(seconds / 2)), ...(opened ? { opened } : {}) });
            problems.push(...gateFailures(report.verdicts).map((v) => `${v.tier} ${v.check}: ${v.reason}`));
        }
        if (problems.length === 0) {
            good++;
            if (good >= 2) return;
        } else {
            good = 0;
            last = problems.join("; ");
        }
        await new Promise((r) => setTimeout(r, 10_000));
    }
    throw new Error(`not healthy within ${seconds} s (bcm:snapshots.healthSeconds): ${last}`);
}
