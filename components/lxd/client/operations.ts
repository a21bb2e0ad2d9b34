import { Operation } from "./envelope";

/** What an operation's status code says about it. */
export type OperationOutcome = "succeeded" | "failed" | "cancelled" | "running";

/**
 * Reads an operation's status code. `GET /1.0/operations/<id>/wait` answers 200 (sync) even
 * when the operation failed or the wait timed out, so the HTTP status says nothing: only
 * `metadata.status_code` does (200 success, 400 failure, 401 cancelled, anything else
 * still going).
 */
export function operationOutcome(op: Operation): OperationOutcome {
    switch (op.status_code) {
        case 200:
            return "succeeded";
        case 400:
            return "failed";
        case 401:
            return "cancelled";
        default:
            return "running";
    }
}

/** The operation id from an operation object or its `/1.0/operations/<id>` path. */
export function operationId(op: Operation | string): string {
    const raw = typeof op === "string" ? op : op.id;
    return raw.split("?")[0].split("/").filter((p) => p !== "").pop() ?? raw;
}
