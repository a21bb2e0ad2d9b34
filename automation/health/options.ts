// `bcm health`'s thresholds from its flags, checked before anything is read (pure).
import { SpecError } from "../../components/datacenter/spec";
import { BackupThresholds, defaultBackupThresholds, defaultDiskThresholds, DiskThresholds } from "./checks";

export interface ThresholdFlags {
    poolWarn?: string;
    poolFail?: string;
    volumeWarn?: string;
    volumeFail?: string;
    backupWarnHours?: string;
    backupFailHours?: string;
    torGrace?: string;
}

const number = (flag: string, v: string | undefined, fallback: number, max: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n <= 0 || n > max) throw new SpecError(`--${flag}: ${JSON.stringify(v)} must be a number above 0 and at most ${max}`);
    return n;
};

function pair(prefix: string, warn: string | undefined, fail: string | undefined, d: { warn: number; fail: number }, max: number): { warn: number; fail: number } {
    const w = number(`${prefix}-warn${max === 100 ? "" : "-hours"}`, warn, d.warn, max);
    const f = number(`${prefix}-fail${max === 100 ? "" : "-hours"}`, fail, d.fail, max);
    if (w > f) throw new SpecError(`--${prefix}-warn${max === 100 ? "" : "-hours"}: ${w} is above --${prefix}-fail${max === 100 ? "" : "-hours"} ${f}; a warning comes before a failure`);
    return { warn: w, fail: f };
}

export function thresholdsFrom(o: ThresholdFlags): { pools: DiskThresholds; volumes: DiskThresholds; backups: BackupThresholds; torGraceSeconds: number } {
    const d = { warn: defaultDiskThresholds.warnPercent, fail: defaultDiskThresholds.failPercent };
    const p = pair("pool", o.poolWarn, o.poolFail, d, 100);
    const v = pair("volume", o.volumeWarn, o.volumeFail, d, 100);
    const b = pair("backup", o.backupWarnHours, o.backupFailHours, { warn: defaultBackupThresholds.warnHours, fail: defaultBackupThresholds.failHours }, 24 * 3650);
    const torGraceSeconds = number("tor-grace", o.torGrace, 300, 86400);
    return { pools: { warnPercent: p.warn, failPercent: p.fail }, volumes: { warnPercent: v.warn, failPercent: v.fail }, backups: { warnHours: b.warn, failHours: b.fail }, torGraceSeconds };
}
