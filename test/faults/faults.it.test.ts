import * as os from "node:os";
import * as path from "node:path";
import { chosenPoints, formatTable, planFor, rowPassed, samplePlan } from "./faultPlan";
import { runFaults } from "./harness";

// Two of `npm run test:faults`'s eleven kill points, chosen at random on every run (the
// choice is printed, so a failure names its point): SIGKILL of the engine's process group
// during a cold up or a destroy of the full standalone data center, a plain rerun, and the
// same checks as the full run (BCM_FAULT_POINTS names the points instead). Holds /tmp/bcm-datacenter.lock through scripts/test.sh.
describe("fault injection: two random kill points of the standalone data center (real engine, LXD, Swarm)", () => {
    it("recovers from each with a plain rerun: nothing left running, no change after, nothing to cull, nothing left after destroy", async () => {
        // BCM_FAULT_POINTS=up-4,destroy-2 repeats a run's choice (e.g. one that failed).
        const named = chosenPoints([], process.env.BCM_FAULT_POINTS);
        const plan = named.length > 0 ? planFor(named) : samplePlan(Math.random);
        const chosen = plan.map((s) => (s.up ?? s.destroy)!);
        process.stdout.write(`[faults] kill points chosen this run: ${chosen.map((p) => `${p.id} (${p.phase} at ${Math.round(p.fraction * 100)}%)`).join(", ")}\n`);
        const logDir = path.join(os.tmpdir(), `bcm-faults-it-${process.pid}`);
        const rows = await runFaults(plan, { say: (l) => process.stdout.write(`[faults] ${l}\n`), logDir });
        process.stdout.write(`${formatTable(rows)}\n(run logs in ${logDir})\n`);
        expect(rows.map((r) => r.point)).toEqual(chosen.map((p) => p.id));
        expect(rows.filter((r) => !rowPassed(r))).toEqual([]);
    }, 60 * 60_000);
});
