import { EngineEvent, OpType } from "@pulumi/pulumi/automation";

/** Running counts of one engine run, kept by `Progress` and printed with every line. */
export interface ProgressCounts {
    started: number;
    done: number;
    failed: number;
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

/** Prints engine progress as plain, timestamped lines on a stream (stderr by default). */
export class Progress {
    private readonly counts: ProgressCounts = { started: 0, done: 0, failed: 0 };
    private readonly began = Date.now();

    constructor(
        private readonly label: string,
        private readonly write: (line: string) => void = (l) => process.stderr.write(l + "\n"),
    ) {}

    /** Pass as `onEvent` to up/preview/refresh/destroy. */
    public readonly onEvent = (event: EngineEvent): void => {
        const line = describeEvent(event, this.counts);
        if (line !== undefined) {
            const seconds = ((Date.now() - this.began) / 1000).toFixed(1).padStart(6);
            this.write(`[bcm ${this.label} ${seconds}s] ${line}`);
        }
    };
}
