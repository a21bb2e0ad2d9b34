// The fault-injection plan and its report: where a run of the standalone data center is
// killed, and how the outcome is judged and printed. Pure: tested directly
// (faultPlan.test.ts); the harness (harness.ts) does the killing.

export type Phase = "up" | "destroy";

/** A point at which the engine's process group gets SIGKILL: a fraction of the run's progress lines. */
export interface KillPoint {
    id: string;
    phase: Phase;
    /** 0..1 of the progress lines the whole run prints for custom resources (each prints two: "creating X", "created X"). */
    fraction: number;
}

/** Eight points spread over a cold up, from its first steps (the LXD objects) to its last (the workloads). */
export const upPoints: KillPoint[] = [0.02, 0.12, 0.25, 0.38, 0.5, 0.62, 0.75, 0.9].map((fraction, i) => ({ id: `up-${i + 1}`, phase: "up", fraction }));

/** Three points of a destroy: the services going, the middle, the containers and volumes going. */
export const destroyPoints: KillPoint[] = [0.1, 0.5, 0.85].map((fraction, i) => ({ id: `destroy-${i + 1}`, phase: "destroy", fraction }));

export const allPoints: KillPoint[] = [...upPoints, ...destroyPoints];

/**
 * An object deleted by hand on the whole data center, then a plain up, which must make it
 * again (issue: out-of-band deletion). Commands are argv run on the controller.
 */
export interface DriftPoint {
    id: string;
    /** What is deleted, for the table. */
    what: string;
    remove: string[];
    /** Prints what shows the object back; polled until `back` matches it. */
    check: string[];
    back: RegExp;
}

const inGateway = (script: string) => ["lxc", "exec", "bcm-gateway-01", "--", "sh", "-c", script];
const serviceState = (name: string) => `docker service ls --filter name=${name} --format '{{.Name}} {{.Replicas}}' | grep '^${name} '`;

export const driftPoints: DriftPoint[] = [
    { id: "drift-service", what: "Swarm service tor", remove: inGateway("docker service rm tor"), check: inGateway(serviceState("tor")), back: /^tor 1\/1$/ },
    {
        id: "drift-secret",
        what: "Swarm service electrum-regtest and its secret",
        remove: inGateway("docker service rm electrum-regtest && docker secret ls --format '{{.Name}}' | grep '^bcm-electrum-conf-' | xargs docker secret rm"),
        check: inGateway(`${serviceState("electrum-regtest")}; docker secret ls --format '{{.Name}}' | grep -c '^bcm-electrum-conf-'`),
        back: /^electrum-regtest 1\/1\n1$/,
    },
    {
        id: "drift-container",
        what: "tier container bcm-kafka-01",
        remove: ["lxc", "delete", "--force", "bcm-kafka-01"],
        // Back, with its service, and in the swarm once: the old node's entry removed (StaleSwarmNodes).
        check: ["sh", "-c", `lxc list --format csv -c ns '^bcm-kafka-01$' && lxc exec bcm-gateway-01 -- sh -c "${serviceState("kafka-controller-1")}; docker node ls --format '{{.Hostname}} {{.Status}}' | grep '^bcm-kafka-01 '"`],
        back: /^bcm-kafka-01,RUNNING\nkafka-controller-1 1\/1\nbcm-kafka-01 Ready$/,
    },
    {
        id: "drift-volume",
        what: "tier container bcm-kafka-01 and its docker volume",
        // As a person would have to: the container first (LXD keeps a volume in use), the volume's snapshots, the volume.
        remove: [
            "sh",
            "-c",
            "lxc delete --force bcm-kafka-01 && for s in $(lxc storage volume list default --format csv -c n | grep '^bcm-kafka-01-docker/'); do lxc storage volume delete default \"$s\"; done && lxc storage volume delete default bcm-kafka-01-docker",
        ],
        check: ["sh", "-c", `lxc storage volume list default --format csv -c n | grep -x bcm-kafka-01-docker && lxc exec bcm-gateway-01 -- sh -c "${serviceState("kafka-controller-1")}; docker node ls --format '{{.Hostname}} {{.Status}}' | grep '^bcm-kafka-01 '"`],
        back: /^bcm-kafka-01-docker\nkafka-controller-1 1\/1\nbcm-kafka-01 Ready$/,
    },
    {
        id: "drift-network",
        what: "overlay network bcm-egress and the service on it",
        // Docker removes a network only once no service is attached: they go first, then the network,
        // which Docker still lists until the services' tasks have stopped: the deletion is done when it is not.
        remove: inGateway(
            "id=$(docker network inspect bcm-egress --format '{{.Id}}') && " +
                "for s in $(docker service ls -q); do docker service inspect \"$s\" --format '{{range .Spec.TaskTemplate.Networks}}{{.Target}} {{end}}' | grep -q \"$id\" && docker service rm \"$s\"; done; " +
                "docker network rm bcm-egress && for i in $(seq 1 60); do docker network ls --format '{{.Name}}' | grep -qx bcm-egress || exit 0; sleep 1; done; echo 'bcm-egress still listed after 60 s' >&2; exit 1",
        ),
        check: inGateway(`docker network ls --filter name=bcm-egress --format '{{.Name}} {{.Scope}}'; ${serviceState("tor")}`),
        back: /^bcm-egress swarm\ntor 1\/1$/,
    },
    {
        id: "drift-gateway",
        what: "gateway container bcm-gateway-01 (the swarm's manager)",
        remove: ["lxc", "delete", "--force", "bcm-gateway-01"],
        // Back on its address (lxd:index:StaticAddress), so its kept swarm starts and every worker finds it again: each node Ready, once.
        check: ["sh", "-c", `lxc list --format csv -c ns '^bcm-gateway-01$' && lxc exec bcm-gateway-01 -- sh -c "docker node ls --format '{{.Hostname}} {{.Status}}' | sort; ${serviceState("tor")}; ${serviceState("kafka-controller-1")}"`],
        back: /^bcm-gateway-01,RUNNING\nbcm-bitcoin-01 Ready\nbcm-gateway-01 Ready\nbcm-kafka-01 Ready\ntor 1\/1\nkafka-controller-1 1\/1$/,
    },
    {
        id: "drift-gateway-volume",
        what: "gateway container bcm-gateway-01 and its docker volume (the swarm itself)",
        remove: [
            "sh",
            "-c",
            "lxc delete --force bcm-gateway-01 && for s in $(lxc storage volume list default --format csv -c n | grep '^bcm-gateway-01-docker/'); do lxc storage volume delete default \"$s\"; done && lxc storage volume delete default bcm-gateway-01-docker",
        ],
        // A new swarm: every other member left the one that is gone and joined it, each once; the
        // images pushed into the new registry (the workers' services pull them from there).
        check: [
            "sh",
            "-c",
            `lxc list --format csv -c ns '^bcm-gateway-01$' && lxc exec bcm-gateway-01 -- sh -c "docker node ls --format '{{.Hostname}} {{.Status}}' | sort; ${serviceState("tor")}; ${serviceState("kafka-controller-1")}; ${serviceState("electrum-regtest")}"`,
        ],
        back: /^bcm-gateway-01,RUNNING\nbcm-bitcoin-01 Ready\nbcm-gateway-01 Ready\nbcm-kafka-01 Ready\ntor 1\/1\nkafka-controller-1 1\/1\nelectrum-regtest 1\/1$/,
    },
];

/** One pass over the data center: an up (killed at `up`, or not), then a destroy (killed at `destroy`, or not); or an up, deletions by hand each followed by an up, and a destroy. */
export interface Scenario {
    up?: KillPoint;
    destroy?: KillPoint;
    drift?: DriftPoint[];
}

/**
 * Every point: eight cold ups, each killed once; three of their destroys (the 2nd, 5th and
 * 8th, spread over the run) killed too, so every pass starts from nothing.
 */
export function fullPlan(): Scenario[] {
    const withDestroy: Record<number, KillPoint> = { 1: destroyPoints[0], 4: destroyPoints[1], 7: destroyPoints[2] };
    return [...upPoints.map((up, i) => ({ up, ...(withDestroy[i] ? { destroy: withDestroy[i] } : {}) })), { drift: driftPoints }];
}

/** `count` distinct points chosen with `random` (0 ≤ r < 1), each its own pass. */
export function samplePlan(random: () => number, count = 2): Scenario[] {
    const pool = [...allPoints];
    const chosen: KillPoint[] = [];
    while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);
    return chosen.map((p) => (p.phase === "up" ? { up: p } : { destroy: p }));
}

/** Passes for the named points only (`npm run test:faults -- up-3 destroy-1 drift-service`; the deletions share one pass); an unknown name is an error listing the known ones. */
export function planFor(ids: string[]): Scenario[] {
    const drift = driftPoints.filter((d) => ids.includes(d.id));
    const kills = ids.filter((id) => !driftPoints.some((d) => d.id === id));
    return [
        ...kills.map((id): Scenario => {
            const p = allPoints.find((x) => x.id === id);
            if (!p) throw new Error(`unknown point ${id}; the points are ${[...allPoints, ...driftPoints].map((x) => x.id).join(", ")}`);
            return p.phase === "up" ? { up: p } : { destroy: p };
        }),
        ...(drift.length > 0 ? [{ drift }] : []),
    ];
}

/** The points a run names: on its command line, else in BCM_FAULT_POINTS (comma- or space-separated); none means the default choice. */
export function chosenPoints(args: string[], env: string | undefined): string[] {
    const named = args.filter((a) => !a.startsWith("-"));
    if (named.length > 0) return named;
    return (env ?? "").split(/[\s,]+/).filter((x) => x !== "");
}

/** The progress line count at which to kill: at least the first line, at most the last but one. */
export function killTarget(point: KillPoint, plannedSteps: number): number {
    const lines = 2 * plannedSteps;
    return Math.min(Math.max(1, Math.ceil(point.fraction * lines)), Math.max(1, lines - 1));
}

const progress = /^\[bcm (?:up|destroy) +[\d.]+s\] (creating replacement for|created replacement for|deleting replaced|deleted replaced|creating|created|updating|updated|deleting|deleted|replacing|replaced|reading|read|importing|imported) (\S+) (\S+)/;
const starts = new Set(["creating", "updating", "deleting", "replacing", "creating replacement for", "deleting replaced", "reading", "importing"]);

/** Component resources (BCM's own `bcm:` types and the stack): they take no time of their own. */
export function isComponent(type: string): boolean {
    return type.startsWith("bcm:") || type === "pulumi:pulumi:Stack";
}

/** Follows a run's progress: lines seen and steps under way. */
export class StepTracker {
    public lines = 0;
    private readonly running = new Map<string, string>();

    /** Feeds one line; returns whether it was a progress line of a custom resource (components are not counted: they only group). */
    public feed(line: string): boolean {
        const m = progress.exec(line);
        if (!m || isComponent(m[2])) return false;
        this.lines++;
        const key = `${m[2]} ${m[3]}`;
        // "docker:index/service:Service" → "docker Service": the package and the type's own name.
        if (starts.has(m[1])) this.running.set(key, `${m[1]} ${m[2].split(":")[0]} ${m[2].split(":").pop()} ${m[3]}`);
        else this.running.delete(key);
        return true;
    }

    /** What was under way, for the report: the steps started and not yet finished. */
    public underWay(): string {
        const steps = [...this.running.values()];
        if (steps.length === 0) return "between steps";
        return steps.length <= 2 ? steps.join("; ") : `${steps.slice(0, 2).join("; ")} (+${steps.length - 2})`;
    }
}

/** The changes a run's summary line reports ("finished in 7s: 86 same" → 0; "2 create, 84 same" → 2). */
export function changesIn(summary: string): number | undefined {
    const m = /finished in [\d.]+s: (.*)$/.exec(summary);
    if (!m) return undefined;
    if (m[1] === "nothing to do") return 0;
    return m[1]
        .split(", ")
        .map((part) => /^(\d+) (\S+)$/.exec(part))
        .filter((x): x is RegExpExecArray => x !== null && x[2] !== "same")
        .reduce((n, x) => n + Number(x[1]), 0);
}

/** One killed point, as the table prints it. */
export interface FaultRow {
    point: string;
    /** "line 41/170 at 63.2s", or why it was not reached. */
    killedAt: string;
    running: string;
    /** Processes of the killed run still alive after the grace period ("none", or their roles). */
    leftProcesses: string;
    /** "ok", or "FAILED: <first error line>". */
    rerun: string;
    rerunSeconds: number;
    /** After an up point: the following up's changes ("0 changes"); after a destroy point: "-". */
    nextUp: string;
    /** After an up point: what `bcm cluster cull` found ("nothing"); after a destroy point: "-". */
    cull: string;
    /** LXD objects of the stack after the pass's destroy ("none", or what). */
    leftObjects: string;
}

/** Whether a row is a pass: everything the acceptance asks of a killed point. */
export function rowPassed(r: FaultRow): boolean {
    return (
        r.leftProcesses === "none" &&
        r.rerun === "ok" &&
        (r.nextUp === "-" || r.nextUp === "0 changes") &&
        (r.cull === "-" || r.cull === "nothing") &&
        r.leftObjects === "none" &&
        !r.killedAt.startsWith("not reached")
    );
}

/** The report: one line per point, columns padded, a verdict per row. */
export function formatTable(rows: FaultRow[]): string {
    const header = ["point", "killed at", "what was running", "left processes", "rerun", "s", "next up", "cull", "left objects", "verdict"];
    const cells = rows.map((r) => [r.point, r.killedAt, r.running, r.leftProcesses, r.rerun, r.rerunSeconds.toFixed(0), r.nextUp, r.cull, r.leftObjects, rowPassed(r) ? "pass" : "FAIL"]);
    const width = header.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((c) => c[i].length))));
    const line = (c: string[]) => c.map((v, i) => (v.length > width[i] ? v.slice(0, width[i] - 1) + "…" : v.padEnd(width[i]))).join(" | ").trimEnd();
    return [line(header), width.map((w) => "-".repeat(w)).join("-|-"), ...cells.map(line)].join("\n");
}
