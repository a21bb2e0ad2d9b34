import { EngineEvent } from "@pulumi/pulumi/automation";
import { describeEvent, Progress, ProgressCounts, statusLine, stripColor, urnName } from "./progress";

const urn = "urn:pulumi:dev::bcm::bcm:smoke:EngineCheck$random:index/randomPassword:RandomPassword::check-secret";
const meta = { op: "create" as const, urn, type: "random:index/randomPassword:RandomPassword", provider: "" };
const ev = (e: Partial<EngineEvent>): EngineEvent => ({ sequence: 0, timestamp: 0, ...e });

describe("progress lines from engine events", () => {
    it("counts started and finished steps, and ignores planning and unchanged resources", () => {
        const counts: ProgressCounts = { started: 0, done: 0, failed: 0 };
        expect(describeEvent(ev({ resourcePreEvent: { metadata: meta, planning: true } }), counts)).toBeUndefined();
        expect(describeEvent(ev({ resourcePreEvent: { metadata: { ...meta, op: "same" } } }), counts)).toBeUndefined();
        expect(describeEvent(ev({ resourcePreEvent: { metadata: meta } }), counts)).toBe(
            "creating random:index/randomPassword:RandomPassword check-secret",
        );
        expect(describeEvent(ev({ resOutputsEvent: { metadata: meta } }), counts)).toBe(
            "created random:index/randomPassword:RandomPassword check-secret [1/1 done]",
        );
        expect(counts).toEqual({ started: 1, done: 1, failed: 0 });
        expect(describeEvent(ev({ resOpFailedEvent: { metadata: meta, status: 1, steps: 1 } }), counts)).toMatch(/^FAILED create/);
        expect(counts.failed).toBe(1);
    });

    it("shows errors, warnings and policy violations without colour markup, and hides info", () => {
        const counts: ProgressCounts = { started: 0, done: 0, failed: 0 };
        const diag = (severity: "info" | "warning" | "error") =>
            ev({ diagnosticEvent: { urn, message: "<{%fg 1%}>boom<{%reset%}>\n", color: "raw", severity } });
        expect(describeEvent(diag("info"), counts)).toBeUndefined();
        expect(describeEvent(diag("error"), counts)).toBe("error: check-secret: boom");
        expect(
            describeEvent(
                ev({
                    policyEvent: {
                        resourceUrn: urn, message: "no", color: "raw", policyName: "p", policyPackName: "bcm",
                        policyPackVersion: "1", policyPackVersionTag: "1", enforcementLevel: "mandatory",
                    },
                }),
                counts,
            ),
        ).toBe("policy bcm/p (mandatory) on check-secret: no");
    });

    it("summarises the run", () => {
        const counts: ProgressCounts = { started: 0, done: 0, failed: 0 };
        const summary = (changes: Record<string, number>) =>
            ev({ summaryEvent: { maybeCorrupt: false, durationSeconds: 3, resourceChanges: changes, policyPacks: {} } });
        expect(describeEvent(summary({ create: 2, same: 1 }), counts)).toBe("finished in 3s: 2 create, 1 same");
        expect(describeEvent(summary({}), counts)).toBe("finished in 3s: nothing to do");
    });

    it("takes names from URNs and strips any colour directive", () => {
        expect(urnName(urn)).toBe("check-secret");
        expect(stripColor("<{%bold%}>a<{%reset%}>b")).toBe("ab");
    });
});

describe("Progress display", () => {
    const pre = (urn: string, planning = false) =>
        ({ sequence: 1, timestamp: 0, resourcePreEvent: { planning, metadata: { op: "create", urn, type: "lxd:index:Instance" } } }) as never;
    const done = (urn: string) => ({ sequence: 2, timestamp: 0, resOutputsEvent: { metadata: { op: "create", urn, type: "lxd:index:Instance" } } }) as never;
    const summary = { sequence: 3, timestamp: 0, summaryEvent: { resourceChanges: { create: 1 }, durationSeconds: 2 } } as never;

    it("prints plain lines when given a writer or when stderr is not a terminal", () => {
        const lines: string[] = [];
        const p = new Progress("up", (l) => lines.push(l), true);
        p.onEvent(pre("urn:pulumi:s::p::lxd:index:Instance::c1"));
        p.onEvent(done("urn:pulumi:s::p::lxd:index:Instance::c1"));
        expect(lines.map((l) => l.replace(/^\[bcm up +[\d.]+s\] /, ""))).toEqual([
            "creating lxd:index:Instance c1",
            "created lxd:index:Instance c1 [1/1 done]",
        ]);
    });

    it("counts against the plan the preview made, with elapsed time", () => {
        const out: string[] = [];
        const write = jest.spyOn(process.stderr, "write").mockImplementation((t) => (out.push(String(t)), true));
        try {
            const p = new Progress("up", undefined, true);
            p.plan(4);
            // An update announces no plan of its own: the preview's stands.
            p.onEvent(pre("urn:pulumi:s::p::lxd:index:Instance::c1"));
            p.onEvent(done("urn:pulumi:s::p::lxd:index:Instance::c1"));
        } finally {
            write.mockRestore();
        }
        expect(out.join("")).toMatch(/\[bcm up \d+s\] done 1 of 4 \(25%\) · running 0 · failed 0/);
        expect(statusLine("up", 125, { started: 9, done: 3, failed: 1, planned: 4 }, undefined)).toBe("[bcm up 2m05s] done 3 of 9 (33%) · running 5 · failed 1");
    });

    it("keeps a live status line (done of planned, running, failed, current step) under the lines on a terminal", () => {
        const out: string[] = [];
        const write = jest.spyOn(process.stderr, "write").mockImplementation((t) => (out.push(String(t)), true));
        try {
            const p = new Progress("up", undefined, true);
            p.onEvent(pre("urn:pulumi:s::p::lxd:index:Instance::c1", true));
            p.onEvent(pre("urn:pulumi:s::p::lxd:index:Instance::c2", true));
            p.onEvent(pre("urn:pulumi:s::p::lxd:index:Instance::c1"));
            p.onEvent(done("urn:pulumi:s::p::lxd:index:Instance::c1"));
            p.onEvent(summary);
        } finally {
            write.mockRestore();
        }
        const text = out.join("");
        expect(text).toContain("\r\x1b[K");
        expect(text).toMatch(/done 0 of 2 \(0%\) · running 1 · failed 0 · creating lxd:index:Instance c1/);
        expect(text).toMatch(/done 1 of 2 \(50%\) · running 0 · failed 0/);
        // The run ends on a clean line: no status line after the summary.
        expect(text.endsWith("nothing to do\n") || /finished in 2s: 1 create\n$/.test(text)).toBe(true);
    });
});
