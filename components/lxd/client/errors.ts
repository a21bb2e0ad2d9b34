/**
 * Everything that goes wrong talking to LXD: the daemon's own refusal (with its HTTP status
 * and message), a failed or cancelled operation, or a transport failure (status 0). The
 * message always names the endpoint and the object, so an error read in a deployment log
 * says where to look without a stack trace.
 */
export class LxdError extends Error {
    /** LXD's status: the HTTP/error code (404, 409, 412 ...), an operation's status code (400 failed, 401 cancelled), or 0 when LXD was never reached or gave no answer in time. */
    public readonly status: number;
    /** The endpoint's URL (`unix:///var/lib/lxd/unix.socket`, `https://host:8443`). */
    public readonly endpoint: string;
    /** What the request was about, e.g. `instance c1`, `image alias bcm-base`. */
    public readonly object: string;
    /** LXD's own message (or the transport's), without our prefix. */
    public readonly lxdMessage: string;

    constructor(status: number, endpoint: string, object: string, lxdMessage: string) {
        super(`${object} on ${endpoint}: ${lxdMessage}${status > 0 ? ` (${status})` : ""}`);
        this.name = "LxdError";
        this.status = status;
        this.endpoint = endpoint;
        this.object = object;
        this.lxdMessage = lxdMessage;
    }

    /** True for LXD's "not found" (a missing object, or an operation already forgotten). */
    public get notFound(): boolean {
        return this.status === 404;
    }
}

/** Narrows an unknown error to an LxdError with the given status. */
export function isLxdError(err: unknown, status?: number): err is LxdError {
    return err instanceof LxdError && (status === undefined || err.status === status);
}

/**
 * A readable name for the object an API path is about, used in error messages:
 * `/1.0/instances/c1/state` → `instance c1`, `/1.0/images/aliases/x` → `image alias x`.
 */
export function describeObject(apiPath: string): string {
    const [pathOnly] = apiPath.split("?");
    const parts = pathOnly.split("/").filter((p) => p !== "" && p !== "1.0").map(decodeURIComponent);
    const kinds: Record<string, string> = {
        instances: "instance",
        containers: "instance",
        profiles: "profile",
        networks: "network",
        "storage-pools": "storage pool",
        images: "image",
        operations: "operation",
        certificates: "certificate",
    };
    if (parts.length === 0) {
        return "the server";
    }
    if (parts[0] === "images" && parts[1] === "aliases") {
        return parts[2] ? `image alias ${parts[2]}` : "image aliases";
    }
    const kind = kinds[parts[0]];
    if (!kind) {
        return pathOnly;
    }
    return parts[1] ? `${kind} ${parts[1]}` : `${kind}s`;
}

/**
 * The message of anything thrown. Not `instanceof Error`: errors raised by Node's own
 * modules come from another realm under jest, and would print as "Error: ...".
 */
export function messageOf(err: unknown): string {
    if (err !== null && typeof err === "object" && typeof (err as { message?: unknown }).message === "string") {
        return (err as { message: string }).message;
    }
    return String(err);
}
