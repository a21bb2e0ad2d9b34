import { EngineEvent, OpType } from "@pulumi/pulumi/automation";

/** Running counts of one engine run, kept by `Progress` and printed with every line. */
export interface ProgressCounts {
    started: number;
    done: number;
    failed: number;
    /** Steps the engine planned (announced while planning); absent when it did not plan. */
    planned?: number;
}

const verbs: Partial<Record<OpType, [string, string]>> = {
    create: ["creating", "created"],
    update: ["updating", "updated"],
    delete: ["deleting", "deleted"],
    replace: ["replacing", "replaced"],
    "create-replacement": ["creating replacement for", "created replacement for"],
    "delete-replaced": ["deleting replaced", "deleted replaced"],
    read: ["reading", "read"],
    refresh: ["refreshing", "refreshed"],
    import: ["importing", "imported"],
};

/** The resource's logical name: the last `::` segment of its URN. */
export function urnName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/**
 * Turns one engine event into a line for a person, or nothing for events that say nothing
 * new (unchanged resources, previews of steps, ephemeral diagnostics). Counts are updated
 * in place so every line shows how far the run has come.
 */
export function describeEvent(event: EngineEvent, counts: ProgressCounts): string | undefined {
    if (event.resourcePreEvent && !event.resourcePreEvent.planning) {
        const m = event.resourcePreEvent.metadata;
        const verb = verbs[m.op];
        if (!verb) return undefined;
        counts.started++;
        return `${verb[0]} ${m.type} ${urnName(m.urn)}`;
    }
    if (event.resOutputsEvent && !event.resOutputsEvent.planning) {
        const m = event.resOutputsEvent.metadata;
        const verb = verbs[m.op];
        if (!verb) return undefined;
        counts.done++;
        return `${verb[1]} ${m.type} ${urnName(m.urn)} [${counts.done}/${counts.started} done]`;
    }
    if (event.resOpFailedEvent) {
        counts.failed++;
        const m = event.resOpFailedEvent.metadata;
        return `FAILED ${m.op} ${m.type} ${urnName(m.urn)}`;
    }
    if (event.diagnosticEvent && !event.diagnosticEvent.ephemeral) {
        const d = event.diagnosticEvent;
        if (d.severity !== "error" && d.severity !== "warning") return undefined;
        const where = d.urn ? `${urnName(d.urn)}: ` : "";
        return `${d.severity}: ${where}${stripColor(d.message).trim()}`;
    }
    if (event.policyEvent) {
        const p = event.policyEvent;
        const where = p.resourceUrn ? ` on ${urnName(p.resourceUrn)}` : "";
        return `policy ${p.policyPackName}/${p.policyName} (${p.enforcementLevel})${where}: ${stripColor(p.message).trim()}`;
    }
    if (event.summaryEvent) {
        const s = event.summaryEvent;
        const changes = Object.entries(s.resourceChanges)
            .map(([op, n]) => `${n} ${op}`)
            .join(", ");
        return `finished in ${s.durationSeconds}s: ${changes || "nothing to do"}`;
    }
    return undefined;
}

/** The engine's messages carry its colour markup (`<{%reset%}>`); a plain line drops it. */
export function stripColor(message: string): string {
    return message.replace(/<\{%[^%]*%\}>/g, "");
}

/** Minutes and seconds, as a person reads elapsed time. */
export function elapsed(seconds: number): string {
    const s = Math.floor(seconds);
    return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/**
 * The status line a terminal shows under the log: how far the run is against its plan (the
 * preview's count of changes, when the caller gave it, else what the engine announced),
 * what is running and failed, the elapsed time and the current step.
 */
export function statusLine(label: string, seconds: number, counts: ProgressCounts, current: string | undefined): string {
    const running = Math.max(0, counts.started - counts.done - counts.failed);
    const total = Math.max(counts.planned ?? 0, counts.started);
    const step = current ? ` · ${current}` : "";
    const percent = total > 0 ? ` (${Math.min(100, Math.floor((100 * counts.done) / total))}%)` : "";
    return `[bcm ${label} ${elapsed(seconds)}] done ${counts.done} of ${total}${percent} · running ${running} · failed ${counts.failed}${step}`;
}

/**
 * Prints engine progress as timestamped lines on a stream (stderr by default). On a
 * terminal a live status line (planned, running, done and failed resources, the current
 * step) stays under the lines, redrawn on every event; elsewhere (logs, CI, pipes) there
 * are only the plain lines.
 */
export class Progress {
    private readonly counts: ProgressCounts = { started: 0, done: 0, failed: 0, planned: 0 };
    private readonly began = Date.now();
    private current: string | undefined;
    private readonly live: boolean;

    private readonly write: (text: string) => void;

    /**
     * @param say  where plain lines go instead of stderr (never live)
     * @param tty  whether stderr is a terminal (the live status line); default: ask stderr
     */
    constructor(
        private readonly label: string,
        say?: (line: string) => void,
        tty: boolean = process.stderr.isTTY === true,
    ) {
        this.live = say === undefined && tty;
        this.write = say ? (t) => t.endsWith("\n") && say(t.slice(0, -1)) : (t) => process.stderr.write(t);
    }

    /** The number of changes the preview planned: the status line counts against it. */
    public plan(changes: number): void {
        this.counts.planned = changes;
        this.planFixed = true;
    }

    private planFixed = false;

    /** Clears the live status line (a run that ended without its summary, e.g. failed or cancelled). */
    public finish(): void {
        if (this.live) this.write("\r\x1b[K");
    }

    /** Pass as `onEvent` to up/preview/refresh/destroy. */
    public readonly onEvent = (event: EngineEvent): void => {
        // The engine announces each step while planning; those are the planned resources.
        if (!this.planFixed && event.resourcePreEvent?.planning && event.resourcePreEvent.metadata.op !== "same") this.counts.planned!++;
        const line = describeEvent(event, this.counts);
        if (event.resourcePreEvent && !event.resourcePreEvent.planning && line) this.current = line;
        const seconds = (Date.now() - this.began) / 1000;
        if (this.live) this.write("\r\x1b[K");
        if (line !== undefined) this.write(`[bcm ${this.label} ${seconds.toFixed(1).padStart(6)}s] ${line}\n`);
        if (this.live && !event.summaryEvent) this.write(statusLine(this.label, seconds, this.counts, this.current));
    };
}
