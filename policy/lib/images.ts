/** A docker image reference split into its parts. */
export interface ImageRef {
    /** The registry host[:port], or undefined for Docker Hub's implicit default. */
    registry?: string;
    /** The repository path inside the registry, e.g. `bcm/tor`. */
    repository: string;
    tag?: string;
    /** `sha256:<64 hex>` when pinned by digest. */
    digest?: string;
}

const digestPattern = /^sha256:[0-9a-f]{64}$/;

/** Whether a string is a content digest `sha256:<64 lowercase hex>`. */
export function isDigest(s: string): boolean {
    return digestPattern.test(s);
}

/**
 * Splits `[registry/]repository[:tag][@digest]`. The first path component is a registry
 * when it has a `.` or `:` or is `localhost` (docker's own rule).
 */
export function parseImageRef(ref: string): ImageRef {
    let rest = ref.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    let registry: string | undefined;
    const slash = rest.indexOf("/");
    if (slash > 0) {
        const first = rest.slice(0, slash);
        if (first.includes(".") || first.includes(":") || first === "localhost") {
            registry = first;
            rest = rest.slice(slash + 1);
        }
    }
    let tag: string | undefined;
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
    }
    return { registry, repository: rest, tag, digest };
}

/** Whether an image reference is pinned by digest (`...@sha256:<64 hex>`). */
export function pinnedByDigest(ref: string): boolean {
    const d = parseImageRef(ref).digest;
    return d !== undefined && isDigest(d);
}

/** Whether a reference comes from the given registry: `<registry>/<repository>...`. */
export function fromRegistry(ref: string, registry: string): boolean {
    const r = ref.trim();
    if (!r.startsWith(`${registry}/`)) {
        return false;
    }
    // Everything after "<registry>/" is a path inside that registry, even if its first
    // component looks like a host (docker reads 127.0.0.1:5010/evil.com/x as a repository
    // "evil.com/x" of 127.0.0.1:5010).
    let rest = r.slice(registry.length + 1);
    const at = rest.indexOf("@");
    if (at >= 0) {
        rest = rest.slice(0, at);
    }
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) {
        rest = rest.slice(0, colon);
    }
    return /^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(rest);
}
