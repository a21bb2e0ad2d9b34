import fc from "fast-check";
import { allPoints, changesIn, chosenPoints, planFor, destroyPoints, driftPoints, FaultRow, formatTable, fullPlan, killTarget, rowPassed, samplePlan, StepTracker, upPoints } from "./faultPlan";

describe("the fault-injection plan", () => {
    it("has eight up points and three destroy points, spread and in order", () => {
        expect(upPoints).toHaveLength(8);
        expect(destroyPoints).toHaveLength(3);
        for (const points of [upPoints, destroyPoints]) {
            const f = points.map((p) => p.fraction);
            expect([...f].sort((a, b) => a - b)).toEqual(f);
            expect(f[0]).toBeLessThan(0.15);
            expect(f[f.length - 1]).toBeGreaterThan(0.8);
        }
        expect(new Set(allPoints.map((p) => p.id)).size).toBe(11);
    });

    it("kills every point exactly once over the full plan, each pass with one up, and ends with every deletion by hand in one pass", () => {
        const plan = fullPlan();
        expect(plan).toHaveLength(9);
        const killed = plan.flatMap((s) => [s.up, s.destroy].filter(Boolean)).map((p) => p!.id);
        expect(killed.sort()).toEqual(allPoints.map((p) => p.id).sort());
        expect(plan[8]).toEqual({ drift: driftPoints });
        expect(driftPoints.map((d) => d.id)).toEqual(["drift-service", "drift-secret", "drift-container", "drift-volume", "drift-network", "drift-gateway", "drift-gateway-volume"]);
    });

    it("samples distinct points, each its own pass of the right phase", () => {
        fc.assert(
            fc.property(fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 2, maxLength: 2 }), (draws) => {
                let i = 0;
                const plan = samplePlan(() => draws[i++ % draws.length]);
                expect(plan).toHaveLength(2);
                const points = plan.map((s) => (s.up ?? s.destroy)!);
                expect(new Set(points.map((p) => p.id)).size).toBe(2);
                for (const s of plan) expect(s.up ? s.up.phase === "up" && !s.destroy : s.destroy!.phase === "destroy").toBe(true);
            }),
        );
    });

    it("runs only named points when asked, and names the known ones for a typo", () => {
        expect(planFor(["up-3", "destroy-1"])).toEqual([{ up: upPoints[2] }, { destroy: destroyPoints[0] }]);
        expect(planFor(["drift-container", "up-3", "drift-service"])).toEqual([{ up: upPoints[2] }, { drift: [driftPoints[0], driftPoints[2]] }]);
        expect(() => planFor(["up-9"])).toThrow(/unknown point up-9; the points are up-1, .*destroy-3, drift-service, drift-secret, drift-container, drift-volume, drift-network, drift-gateway, drift-gateway-volume/);
    });

    it("kills between the first and the last but one progress line", () => {
        fc.assert(
            fc.property(fc.constantFrom(...allPoints), fc.integer({ min: 1, max: 500 }), (p, steps) => {
                const t = killTarget(p, steps);
                expect(t).toBeGreaterThanOrEqual(1);
                expect(t).toBeLessThanOrEqual(Math.max(1, 2 * steps - 1));
            }),
        );
        expect(killTarget(upPoints[4], 100)).toBe(100);
    });
});

describe("reading a run's output", () => {
    it("counts progress lines and knows which steps were under way", () => {
        const t = new StepTracker();
        expect(t.feed("[bcm up] previewing standalone with the policy pack")).toBe(false);
        expect(t.feed("[bcm up    10.0s] creating bcm:gateway:GatewayTier standalone-gateway")).toBe(false);
        expect(t.feed("[bcm up    10.0s] creating pulumi:pulumi:Stack bcm-cluster-standalone")).toBe(false);
        t.feed("[bcm up    10.1s] creating lxd:index:Instance bcm-gateway-01-container");
        t.feed("[bcm up    12.0s] creating docker:index/service:Service registry");
        t.feed("[bcm up    40.0s] created lxd:index:Instance bcm-gateway-01-container [1/2 done]");
        expect(t.lines).toBe(3);
        expect(t.underWay()).toBe("creating docker Service registry");
        t.feed("[bcm destroy    1.0s] deleting command:local:Command x");
        expect(t.underWay()).toBe("creating docker Service registry; deleting command Command x");
    });

    it("reads the number of changes from the summary line", () => {
        expect(changesIn("[bcm up     7.0s] finished in 7s: 86 same")).toBe(0);
        expect(changesIn("[bcm up     7.0s] finished in 7s: nothing to do")).toBe(0);
        expect(changesIn("[bcm up    90.0s] finished in 90s: 2 create, 1 update, 84 same")).toBe(3);
        expect(changesIn("no summary here")).toBeUndefined();
    });
});

describe("the report", () => {
    const row: FaultRow = {
        point: "up-3", killedAt: "line 41/170 at 63.2s", running: "creating docker Service registry", leftProcesses: "none",
        rerun: "ok", rerunSeconds: 91.4, nextUp: "0 changes", cull: "nothing", leftObjects: "none",
    };

    it("passes a point only when every check holds", () => {
        expect(rowPassed(row)).toBe(true);
        expect(rowPassed({ ...row, rerun: "FAILED (exit 1): service registry already exists" })).toBe(false);
        expect(rowPassed({ ...row, leftProcesses: "language host" })).toBe(false);
        expect(rowPassed({ ...row, nextUp: "2 changes" })).toBe(false);
        expect(rowPassed({ ...row, cull: "orphan local docker service registry" })).toBe(false);
        expect(rowPassed({ ...row, leftObjects: "container bcm-gateway-01" })).toBe(false);
        expect(rowPassed({ ...row, killedAt: "not reached (the run ok after 160 lines)" })).toBe(false);
        expect(rowPassed({ ...row, point: "destroy-1", nextUp: "-", cull: "-" })).toBe(true);
    });

    it("prints one line per point with its verdict", () => {
        const table = formatTable([row, { ...row, point: "up-4", rerun: "FAILED (exit 1): boom" }]).split("\n");
        expect(table).toHaveLength(4);
        expect(table[0]).toMatch(/^point +\| killed at/);
        expect(table[2]).toMatch(/^up-3 .*\| pass$/);
        expect(table[3]).toMatch(/^up-4 .*\| FAIL$/);
    });
});

describe("which points a run names", () => {
    it("takes the command line first, then BCM_FAULT_POINTS, ignoring options", () => {
        expect(chosenPoints(["up-3", "destroy-1"], "up-1")).toEqual(["up-3", "destroy-1"]);
        expect(chosenPoints(["--verbose"], "up-4,up-7 destroy-2")).toEqual(["up-4", "up-7", "destroy-2"]);
        expect(chosenPoints([], undefined)).toEqual([]);
        expect(chosenPoints([], " , ")).toEqual([]);
    });
});
