// What Tor's own log (`docker service logs --timestamps --raw <task>`) says about its
// bootstrap and its circuits (pure: tested on Tor's log lines). Tor has no control port here.

export interface TorLogReading {
    /** The last "Bootstrapped N% (tag): summary" line's percent and text; undefined when none was logged. */
    percent?: number;
    phase?: string;
    /** When Tor last said it opened a circuit ("Tor has successfully opened a circuit"). */
    lastCircuit?: Date;
    /** When the task's log starts (its first line). */
    started?: Date;
    /** The last warning Tor logged, if any. */
    lastWarning?: string;
}

/** Reads Tor's log lines, each starting with docker's RFC 3339 timestamp. */
export function readTorLog(text: string): TorLogReading {
    const out: TorLogReading = {};
    for (const line of text.split("\n")) {
        const m = /^(\d{4}-\d{2}-\d{2}T\S+Z)\s+(.*)$/.exec(line.trim());
        if (!m) continue;
        const at = new Date(m[1]);
        if (Number.isNaN(at.getTime())) continue;
        out.started ??= at;
        const msg = m[2];
        const b = /Bootstrapped (\d{1,3})%(?: \(([a-z_]+)\))?: (.*)$/.exec(msg);
        if (b) {
            out.percent = Number(b[1]);
            out.phase = b[3].trim();
        }
        if (/successfully opened a circuit/.test(msg)) out.lastCircuit = at;
        const w = /\[warn\] (.*)$/.exec(msg);
        if (w) out.lastWarning = w[1].trim();
    }
    return out;
}
