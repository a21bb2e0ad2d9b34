import { isDeepStrictEqual } from "node:util";

// Pure diff logic for every resource type: what the engine's olds (the last known outputs,
// refreshed or not) and news (checked inputs) mean for LXD. Server-filled config keys are
// the reason this is more than a deep-equal: LXD adds `volatile.*`, `image.*` and, for
// networks and pools, defaults such as `ipv4.address` or `source`; comparing them would show
// a change on every run, and dropping them on a PUT is refused (volatile.idmap.*) or resets
// the object. So they are ignored unless the program sets them, and carried over on PUT.

/** Which config keys the server fills in by itself. */
export type KeyFilter = (key: string) => boolean;

/** What a diff asks the engine to do. */
export interface PlannedDiff {
    /** Top-level properties whose change needs a new object. */
    replaces: string[];
    /** Top-level properties that change in place. */
    updates: string[];
    /** True when the replacement keeps the name: the old object must go first. */
    deleteBeforeReplace: boolean;
}

/** Instances: keys LXD writes into an instance's own config. */
export const instanceServerKey: KeyFilter = (k) => k.startsWith("volatile.") || k.startsWith("image.");

/** Profiles: LXD adds nothing to a profile's config. */
export const profileServerKey: KeyFilter = () => false;

/** Bridges: LXD picks addresses, NAT and MTU when they are not given. */
export const networkServerKey: KeyFilter = (k) =>
    k.startsWith("ipv4.") || k.startsWith("ipv6.") || k === "bridge.mtu" || k.startsWith("volatile.");

/** Storage pools: the driver records where and how big the pool is. */
export const poolServerKey: KeyFilter = (k) => k === "source" || k === "size" || k.startsWith("volatile.");

/**
 * Custom storage volumes: the idmap LXD records when it shifts a volume for an unprivileged
 * instance (`volatile.idmap.*`), and what a pool's `volume.*` defaults fill in (`size`,
 * `block.*`, driver and snapshot keys).
 */
export const volumeServerKey: KeyFilter = (k) =>
    k.startsWith("volatile.") || k === "size" || /^(block|zfs|lvm|snapshots)\./.test(k);

/** A network address value "auto" means "pick one": any address LXD picked satisfies it. */
export const networkValueMatches = (key: string, live: string | undefined, desired: string): boolean =>
    live === desired || (desired === "auto" && /^ipv[46]\.address$/.test(key) && live !== undefined && live !== "none");

/**
 * The config keys that differ between the live config and the desired one. A key the
 * program sets is always compared; a key it does not set counts only when the server
 * would not have filled it in (so a key added behind our back shows as drift).
 */
export function changedConfigKeys(
    live: unknown,
    desired: unknown,
    serverKey: KeyFilter,
    matches: (key: string, live: string | undefined, desired: string) => boolean = (_k, l, d) => l === d,
): string[] {
    if (!isMap(desired)) {
        return ["*"]; // unknown during preview: assume it changes
    }
    const liveMap = isMap(live) ? live : {};
    const changed = new Set<string>();
    for (const [k, v] of Object.entries(desired)) {
        if (!matches(k, liveMap[k] as string | undefined, v as string)) {
            changed.add(k);
        }
    }
    for (const k of Object.keys(liveMap)) {
        if (!(k in desired) && !serverKey(k)) {
            changed.add(k);
        }
    }
    return [...changed].sort();
}

/**
 * The config to PUT: the program's keys, plus the server-filled keys it does not set,
 * taken from the live object. PUT replaces the whole config, and LXD 5.0.2 refuses one
 * that drops `volatile.idmap.*`.
 */
export function mergeConfigForPut(
    live: Record<string, string>,
    desired: Record<string, string>,
    serverKey: KeyFilter,
    matches: (key: string, live: string | undefined, desired: string) => boolean = (_k, l, d) => l === d,
): Record<string, string> {
    const merged: Record<string, string> = {};
    for (const [k, v] of Object.entries(live)) {
        if (serverKey(k) && !(k in desired)) {
            merged[k] = v;
        }
    }
    for (const [k, v] of Object.entries(desired)) {
        // A desired "auto" that LXD already resolved keeps the resolved value: sending
        // "auto" again would make LXD pick a new subnet.
        merged[k] = matches(k, live[k], v) ? (live[k] ?? v) : v;
    }
    return merged;
}

/** The fields compared as whole values: changed → replace or update. */
interface FieldRules {
    replace: string[];
    update: string[];
    /** The config field with its server-filled keys, if the type has one. */
    config?: { serverKey: KeyFilter; matches?: (key: string, live: string | undefined, desired: string) => boolean };
}

function planFields(olds: Record<string, unknown>, news: Record<string, unknown>, rules: FieldRules): PlannedDiff {
    const replaces = rules.replace.filter((f) => !isDeepStrictEqual(olds[f], news[f]));
    const updates = rules.update.filter((f) => !isDeepStrictEqual(olds[f], news[f]));
    if (rules.config && changedConfigKeys(olds.config, news.config, rules.config.serverKey, rules.config.matches).length > 0) {
        updates.push("config");
    }
    return {
        replaces,
        updates: updates.sort(),
        deleteBeforeReplace: replaces.length > 0 && olds.name === news.name,
    };
}

/**
 * Instances (terraform-provider-lxd's rules): name, image, type and ephemeral replace;
 * config, devices, profiles, running and the rest change in place. The endpoint's
 * credentials change nothing in LXD but are recorded.
 */
export function diffInstance(olds: Record<string, unknown>, news: Record<string, unknown>): PlannedDiff {
    return planFields(olds, news, {
        replace: ["name", "image", "type", "ephemeral"],
        update: ["description", "profiles", "devices", "running", "waitForAddress", "endpoint"],
        config: { serverKey: instanceServerKey },
    });
}

/** Profiles: a new name is a new profile; the rest changes in place. */
export function diffProfile(olds: Record<string, unknown>, news: Record<string, unknown>): PlannedDiff {
    return planFields(olds, news, {
        replace: ["name"],
        update: ["description", "devices", "endpoint"],
        config: { serverKey: profileServerKey },
    });
}

/** Networks: name and type replace; LXD's chosen addresses are not a change. */
export function diffNetwork(olds: Record<string, unknown>, news: Record<string, unknown>): PlannedDiff {
    return planFields(olds, news, {
        replace: ["name", "type"],
        update: ["description", "endpoint"],
        config: { serverKey: networkServerKey, matches: networkValueMatches },
    });
}

/** Network ACLs: the name replaces; the rules (compared in order), config and description change in place. */
export function diffNetworkAcl(olds: Record<string, unknown>, news: Record<string, unknown>): PlannedDiff {
    return planFields(olds, news, {
        replace: ["name"],
        update: ["description", "egress", "ingress", "endpoint"],
        config: { serverKey: profileServerKey },
    });
}

/**
 * Storage pools: name and driver replace, and so does a `source` the program sets to
 * something else (LXD refuses to change it in place).
 */
export function diffStoragePool(olds: Record<string, unknown>, news: Record<string, unknown>): PlannedDiff {
    const plan = planFields(olds, news, {
        replace: ["name", "driver"],
        update: ["description", "endpoint"],
        config: { serverKey: poolServerKey },
    });
    const desiredSource = isMap(news.config) ? news.config.source : undefined;
    const liveSource = isMap(olds.config) ? olds.config.source : undefined;
    if (desiredSource !== undefined && desiredSource !== liveSource) {
        return { ...plan, replaces: [...plan.replaces, "config"], deleteBeforeReplace: olds.name === news.name };
    }
    return plan;
}

/**
 * Custom storage volumes: pool, name and content type replace (LXD moves a volume only by
 * copying it); config changes in place, LXD refusing what the driver cannot (shrinking).
 * The old volume goes first only when the new one would take its place.
 */
export function diffStorageVolume(olds: Record<string, unknown>, news: Record<string, unknown>): PlannedDiff {
    const plan = planFields(olds, news, {
        replace: ["pool", "name", "contentType"],
        update: ["description", "endpoint"],
        config: { serverKey: volumeServerKey },
    });
    return { ...plan, deleteBeforeReplace: plan.replaces.length > 0 && olds.pool === news.pool && olds.name === news.name };
}

/**
 * Exec: a new instance, command, environment or trigger runs the command again (a new
 * resource: create first, unless the program asks for deleteBeforeReplace); the delete
 * command, the timeout and the endpoint's credentials are just recorded.
 */
export function diffExec(olds: Record<string, unknown>, news: Record<string, unknown>): PlannedDiff {
    const plan = planFields(olds, news, {
        replace: ["instance", "create", "environment", "stdin", "triggers"],
        update: ["delete", "timeoutSeconds", "endpoint"],
    });
    return { ...plan, deleteBeforeReplace: false };
}

/** Images: new content (fingerprint) is a new image; aliases and flags change in place. */
export function diffImage(olds: Record<string, unknown>, news: Record<string, unknown>): PlannedDiff {
    const plan = planFields(olds, news, {
        replace: ["fingerprint"],
        update: ["aliases", "public", "metadataPath", "rootfsPath", "endpoint"],
    });
    return { ...plan, deleteBeforeReplace: false };
}

function isMap(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}
