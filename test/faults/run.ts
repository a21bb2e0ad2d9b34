// `npm run test:faults`: every kill point (eight of a cold up, three of a destroy) over the
// full standalone data center, then the deletions by hand (a service, a service and its
// secret, a tier container, each followed by a plain up), then the table. Exit 0 only when every point passes.
// `npm run test:faults -- up-3 destroy-1` (or BCM_FAULT_POINTS=up-3,destroy-1) runs only the
// named points, each its own pass; `--help` lists the points.
// scripts/faults.sh runs the setup first and holds /tmp/bcm-datacenter.lock around this.
import * as path from "node:path";
import * as os from "node:os";
import { allPoints, chosenPoints, driftPoints, formatTable, fullPlan, planFor, rowPassed } from "./faultPlan";
import { runFaults } from "./harness";

async function main(): Promise<void> {
    if (process.argv.includes("--help") || process.argv.includes("-h")) {
        console.log(
            [
                "npm run test:faults [-- POINT...]   kill the engine at each point of a cold up or a destroy of the full standalone data center, rerun, check, print a table",
                `points: ${allPoints.map((p) => `${p.id} (${p.phase} at ${Math.round(p.fraction * 100)}%)`).join(", ")}`,
                `deletions by hand (one pass): ${driftPoints.map((d) => `${d.id} (${d.what})`).join(", ")}`,
                "no POINT: all of them; BCM_FAULT_POINTS=up-4,destroy-2 names them too (and fixes the two points `npm test` runs)",
            ].join("\n"),
        );
        return;
    }
    const logDir = path.join(os.tmpdir(), `bcm-faults-${Date.now()}`);
    const say = (line: string) => process.stderr.write(`[bcm faults] ${line}\n`);
    say(`${allPoints.length} kill points: ${allPoints.map((p) => `${p.id} (${Math.round(p.fraction * 100)}%)`).join(", ")}; run logs in ${logDir}`);
    const started = Date.now();
    const named = chosenPoints(process.argv.slice(2), process.env.BCM_FAULT_POINTS);
    const rows = await runFaults(named.length > 0 ? planFor(named) : fullPlan(), { say, logDir });
    console.log(formatTable(rows));
    const failed = rows.filter((r) => !rowPassed(r));
    console.log(`\n${rows.length - failed.length}/${rows.length} points pass in ${((Date.now() - started) / 60000).toFixed(1)} min${failed.length ? `; failing: ${failed.map((r) => r.point).join(", ")}` : ""}`);
    process.exitCode = failed.length === 0 ? 0 : 1;
}

main().catch((err: unknown) => {
    console.error(`[bcm faults] error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
