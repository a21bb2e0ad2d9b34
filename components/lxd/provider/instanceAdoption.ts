// Taking over an instance this cluster made but never recorded: a run killed during the
// instance's create leaves the POST to LXD, which finishes it without its client. The next
// run's create meets the instance; instead of failing "already exists" it waits for what
// LXD is still doing to it, and then either converges it to the inputs or makes it again.
import { LxdClient } from "../client/client";
import { Operation } from "../client/envelope";
import { isLxdError } from "../client/errors";
import { InstanceInfo, instancePath } from "../client/instances";
import { operationOutcome } from "../client/operations";

/** What the create does with an instance of its name and this cluster's identity. */
export type AdoptionPlan = { action: "converge" } | { action: "replace"; why: string };

/**
 * Converge in place when the instance is what the POST would have made: same type, same
 * base image, same ephemerality. Those are fixed at creation (LXD cannot change an
 * instance's image or type by PUT), and everything else (config, devices, profiles,
 * description, power state) is what an update converges anyway, so converging is safe and
 * keeps what the instance holds. An instance made from another image or of another type
 * (the program changed between the killed run and this one) cannot be brought there in
 * place: it is deleted and created again, as a replace would. That loses only its root
 * disk, which BCM never keeps data on (dockerd and the chain live on custom volumes, which
 * are separate objects and survive the delete), and only for an instance of this cluster
 * that the state does not hold.
 */
export function adoptionPlan(live: Pick<InstanceInfo, "type" | "ephemeral" | "config">, fingerprint: string, wanted: { type: string; ephemeral: boolean }): AdoptionPlan {
    if (live.type !== wanted.type) return { action: "replace", why: `it is a ${live.type}, not a ${wanted.type}` };
    const base = live.config["volatile.base_image"];
    if (base !== undefined && base !== fingerprint) {
        return { action: "replace", why: `it was made from image ${base.slice(0, 12)}, not ${fingerprint.slice(0, 12)}` };
    }
    if (live.ephemeral !== wanted.ephemeral) return { action: "replace", why: `its ephemeral flag is ${live.ephemeral}, not ${wanted.ephemeral}` };
    return { action: "converge" };
}

/** The operations list as `GET /1.0/operations?recursion=1` answers: by status, lower-case. */
export type OperationsByStatus = Record<string, Operation[] | null | undefined>;

/**
 * The operations still going on an instance (its create, a start or stop), which the
 * adoption waits for. Commands run in it (`Executing command`) are not waited for: an
 * operator's shell may never end, and they do not change the instance itself.
 */
export function pendingInstanceOperations(ops: OperationsByStatus, name: string): Operation[] {
    const path = instancePath(name);
    const touches = (op: Operation) =>
        Object.values(op.resources ?? {}).some((list) => (list ?? []).some((r) => r === path || r.startsWith(`${path}?`)));
    return Object.values(ops)
        .flatMap((list) => list ?? [])
        .filter((op) => operationOutcome(op) === "running" && touches(op) && !/^executing/i.test(op.description ?? ""));
}

/**
 * Waits for every operation still going on the instance. One that fails is not an error
 * here: the caller reads the instance again (a failed create leaves none).
 */
export async function settleInstance(client: LxdClient, name: string, timeoutSeconds = 900): Promise<number> {
    const ops = await client.get<OperationsByStatus>("/1.0/operations?recursion=1", { object: "the operations list" });
    const pending = pendingInstanceOperations(ops, name);
    for (const op of pending) {
        try {
            await client.wait(op, { object: `${op.description ?? "an operation"} on instance ${name}`, timeoutSeconds });
        } catch (err) {
            // Failed or cancelled: it is over, which is all this waits for. A timeout is not.
            if (!isLxdError(err, 400) && !isLxdError(err, 401)) throw err;
        }
    }
    return pending.length;
}
