import { EngineEvent } from "@pulumi/pulumi/automation";
import { describeEvent, ProgressCounts, stripColor, urnName } from "./progress";

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
