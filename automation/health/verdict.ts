// A health check's verdict: OK, WARN or FAIL with the reason, for one tier and one thing.
export type Level = "OK" | "WARN" | "FAIL";

export interface Verdict {
    tier: string;
    /** What was checked: "tor", "onion electrum-regtest", "node", "volume default/bcm-…", … */
    check: string;
    level: Level;
    /** Why, in one line (also for OK: what was seen). */
    reason: string;
}

const rank: Record<Level, number> = { OK: 0, WARN: 1, FAIL: 2 };

/** The worst level of a report (OK for an empty one). */
export function worst(verdicts: Verdict[]): Level {
    return verdicts.reduce<Level>((w, v) => (rank[v.level] > rank[w] ? v.level : w), "OK");
}

/** The report's exit status: 1 when any check fails, 0 otherwise (WARN is said, not failed). */
export function exitStatus(verdicts: Verdict[]): 0 | 1 {
    return worst(verdicts) === "FAIL" ? 1 : 0;
}

/** The report's lines, one per verdict, grouped by tier in the order given. */
export function formatVerdicts(verdicts: Verdict[]): string[] {
    const width = Math.max(0, ...verdicts.map((v) => v.check.length));
    return verdicts.map((v) => `${v.level.padEnd(4)}  ${v.tier.padEnd(8)} ${v.check.padEnd(width)}  ${v.reason}`);
}
