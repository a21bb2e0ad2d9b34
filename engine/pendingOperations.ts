// Operations a killed run left "pending" in a stack's state, and how BCM resolves them.
//
// The engine records an operation as pending before it calls the provider and replaces it
// with the result afterwards; a SIGKILL in between leaves the pending entry (`pulumi up`
// then warns "N pending operations" and `pulumi refresh` asks a person about pending
// creates). BCM drops them from the state before the next run, so that run simply does
// the work again. That is safe because of a contract every BCM provider keeps:
//
// - creating: the resource is not in the state; the next run creates it again, and a
//   Create that finds the object it would make (same name, this stack's identity:
//   `user.bcm.cluster` on LXD objects, the label `bcm.cluster` on Docker objects) adopts
//   it instead of failing "already exists" (random and command resources hold no outside
//   object; a command's create is written to be run again);
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
