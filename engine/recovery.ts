import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { describePendingOperations, pendingOperations, withoutPendingOperations } from "./pendingOperations";
import { clearStaleLocks, heldLockLine } from "./stackLock";

/** What recovery did, for the caller's report and for tests. */
export interface Recovery {
    clearedLocks: number;
    droppedOperations: number;
    /** The exported deployment as recovery left it (read once: the caller's drift check uses it too); undefined after a read-back changed it. */
    deployment?: unknown;
}

/** The state directory of a `file://` backend URL; undefined for any other backend. */
export function stateDirOf(backendUrl: string | undefined): string | undefined {
    if (!backendUrl?.startsWith("file://")) return undefined;
    return decodeURIComponent(backendUrl.slice("file://".length));
}

/**
 * What a caller adds to recovery without engine/ knowing any provider: objects the killed
 * run's pending creates left outside that no create can take over (the bridged docker
 * provider's) are removed here, before the operations are dropped.
 */
export interface RecoveryHooks {
    /**
     * Given the exported deployment, pending operations and all, and when the killed run took
     * its lock (RFC 3339), if this recovery cleared it. Should say what it does and not throw:
     * a throw stops the recovery, leaving the pending operations for the next try.
     */
    beforeDrop?(deployment: unknown, lockedSince: string | undefined): Promise<void>;
}

/**
 * Finishes what a killed run left on a stack, before the next run touches it: a lock whose
 * holder is provably gone is removed (one line each), and pending operations are dropped
 * from the state (one line; the contract that makes this safe is in pendingOperations.ts),
 * and the resources whose delete was interrupted are read back (a targeted refresh). A
 * caller's hook sees the pending operations first (RecoveryHooks).
 * A lock whose holder may still be running is an error naming it: never cleared.
 * Every BCM deploy, refresh and destroy calls this first.
 */
export async function recoverInterruptedRun(stack: Stack, say: (line: string) => void, hooks: RecoveryHooks = {}): Promise<Recovery> {
    const ws = stack.workspace as LocalWorkspace;
    const name = stack.name.split("/").pop()!;
    let clearedLocks = 0;
    let lockedSince: string | undefined;
    const stateDir = stateDirOf(ws.envVars?.PULUMI_BACKEND_URL);
    if (stateDir !== undefined) {
        const project = (await ws.projectSettings()).name;
        const report = clearStaleLocks(stateDir, project, name);
        for (const c of report.cleared) {
            say(`stack ${name}: cleared the lock of an interrupted run (pid ${c.lock.pid}, since ${c.lock.timestamp}): ${c.why}`);
        }
        clearedLocks = report.cleared.length;
        lockedSince = report.cleared.map((c) => c.lock.timestamp).filter((t) => !Number.isNaN(Date.parse(t))).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
        if (report.held.length > 0) throw new Error(heldLockLine(name, report.held[0]));
    }
    const exported = await stack.exportStack();
    const ops = pendingOperations(exported.deployment);
    let deployment: unknown = exported.deployment;
    if (ops.length > 0) {
        await hooks.beforeDrop?.(exported.deployment, lockedSince);
        deployment = withoutPendingOperations(exported.deployment);
        await stack.importStack({ ...exported, deployment });
        say(describePendingOperations(name, ops));
        // An interrupted delete may have deleted the object: read those back, so a resource
        // whose object is gone leaves the state instead of failing the next delete with "not found".
        const deleting = [...new Set(ops.filter((o) => o.type === "deleting").map((o) => o.urn))];
        if (deleting.length > 0) {
            const r = await stack.refresh({ target: deleting });
            deployment = undefined;
            const gone = r.summary.resourceChanges?.delete ?? 0;
            say(`stack ${name}: read back ${deleting.length} resource(s) whose delete was interrupted: ${gone} already gone, ${deleting.length - gone} still there`);
        }
    }
    return { clearedLocks, droppedOperations: ops.length, deployment };
}
