import * as crypto from "node:crypto";

/** The logical name at the end of a URN (`...::web` → `web`). */
export function urnName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/**
 * A physical name for a resource whose program gave none, Pulumi style: the logical name
 * plus a random suffix, so a replacement can be created before the old object is deleted.
 * The logical name is bent into LXD's hostname rules (letters, digits, hyphens; a letter
 * first; at most 63 characters in all).
 */
export function autoName(logicalName: string, random: () => string = () => crypto.randomBytes(4).toString("hex")): string {
    let base = logicalName.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").replace(/-+$/, "");
    base = (base || "lxd").slice(0, 54).replace(/-+$/, "");
    return `${base}-${random()}`;
}
