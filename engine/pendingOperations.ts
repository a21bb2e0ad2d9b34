// Operations a killed run left "pending" in a stack's state, and how BCM resolves them.
//
// The engine records an operation as pending before it calls the provider and replaces it
// with the result afterwards; a SIGKILL in between leaves the pending entry (`pulumi up`
// then warns "N pending operations" and `pulumi refresh` asks a person about pending
// creates). BCM drops them from the state before the next run (engine/recovery.ts), so that
// run simply does the work again. What makes that safe, per operation:
//
// - creating: the resource is not in the state and the next run creates it again; the
//   object the killed create may have made is dealt with by type:
//   - LXD (our provider, components/lxd/provider): an instance, custom storage volume or
//     profile of the same name that carries this cluster's `user.bcm.cluster` is taken over
//     by the create (an instance after LXD's own operations on it end, then converged to the
//     inputs, or deleted and made again when its image or type differ: instanceAdoption.ts);
//     images are taken over by fingerprint and an InstanceSocket by its running forwarder;
//     a StaticAddress makes no object (its create picks an address, or takes the one its
//     instance already has).
//     One of another cluster is refused naming that cluster; one with no identity (made by
//     hand) is refused as "already exists". LXD networks and pools are not taken over (a
//     BCM cluster stack makes none).
//   - Docker (the bridged docker provider, which cannot take an object over): before the
//     drop, a hook the caller gives (RecoveryHooks; automation/cluster/dockerRecovery.ts)
//     removes the object a pending create names when it carries the label
//     `bcm.cluster=<this cluster>` (or carries none and was made after the killed run took
//     its lock), reached by LXD exec in the tier container behind the provider's socket.
//     Anything else is left and named; the create then fails "already exists".
//   - random and command resources hold no outside object; a command's create is written
//     to be run again.
// - updating: the resource keeps its last recorded inputs and outputs; the next run diffs
//   against them and updates again (updates converge on the inputs);
// - deleting: the resource stays in the state and is read back at once (a refresh of just
//   those resources): an object the interrupted delete removed leaves the state, one still
//   there is deleted again by the next destroy, or kept by the next up;
// - reading, importing: nothing was changed outside; the next run reads again.

/** A pending operation as it is stored in a deployment (apitype.OperationV2). */
export interface PendingOperation {
    type: string;
    urn: string;
    resourceType: string;
}

interface StoredOperation {
    type?: string;
    resource?: { urn?: string; type?: string };
}

/** The pending operations of an exported deployment (`Stack.exportStack().deployment`). */
export function pendingOperations(deployment: unknown): PendingOperation[] {
    const ops = (deployment as { pending_operations?: StoredOperation[] } | undefined)?.pending_operations ?? [];
    return ops.map((op) => ({ type: op.type ?? "unknown", urn: op.resource?.urn ?? "", resourceType: op.resource?.type ?? "" }));
}

/** The deployment without its pending operations; everything else is left as it was. */
export function withoutPendingOperations<T extends object>(deployment: T): T {
    const { pending_operations: _dropped, ...rest } = deployment as T & { pending_operations?: unknown };
    return rest as T;
}

/** The resource's name: the last `::` segment of its URN. */
function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/** One line for a person: what was interrupted, and what happens now. */
export function describePendingOperations(stack: string, ops: PendingOperation[]): string {
    const shown = ops.slice(0, 4).map((o) => `${o.type} ${o.resourceType} ${nameOf(o.urn)}`);
    const more = ops.length > shown.length ? ` and ${ops.length - shown.length} more` : "";
    return `stack ${stack}: ${ops.length} operation(s) interrupted by an earlier run (${shown.join(", ")}${more}) dropped from the state; this run does them again`;
}
