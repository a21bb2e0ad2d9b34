import { LxdClient } from "../client/client";
import { Endpoint } from "../client/endpoint";
import { isLxdError, messageOf } from "../client/errors";
import { connect } from "./connection";
import { PlannedDiff } from "./diff";
import { Props, ResourceHandler } from "./handler";
import { claimOf, foreignObjectError } from "./identity";
import { Checker } from "./validate";

/** An LXD object as GET shows it: profiles, networks and pools all have these. */
export interface LiveObject {
    name: string;
    description: string;
    config: Record<string, string>;
    [field: string]: unknown;
}

/**
 * Where objects of one type live: how the state's id maps to an API path. Profiles,
 * networks and pools sit in one collection and their id is the name; a pool's volumes sit
 * in a collection per pool, so their id carries the pool too.
 */
export interface Locator {
    /** The id recorded in the state for checked inputs. */
    id(inputs: Props): string;
    /** The collection to POST to for checked inputs. */
    collection(inputs: Props): string;
    /** The object's API path for an id. */
    path(id: string): string;
    /** The object in messages: `profile p`, `storage volume docker in pool default`. */
    describe(id: string): string;
    /** The object in "already exists" messages: `a profile named p`. */
    named(id: string): string;
}

/** The locator of a type whose id is the name, in one collection. */
export function byName(kind: string, collection: string): Locator {
    return {
        id: (inputs) => inputs.name as string,
        collection: () => collection,
        path: (id) => `${collection}/${encodeURIComponent(id)}`,
        describe: (id) => `${kind} ${id}`,
        named: (id) => `a ${kind} named ${id}`,
    };
}

/** What differs between profiles, networks, storage pools and volumes; the CRUD around it is shared. */
export interface NamedObjectSpec {
    /** For messages: "profile", "network", "storage pool". */
    kind: string;
    /** The collection's API path, e.g. `/1.0/profiles` (the id is the name) ... */
    collection?: string;
    /** ... or, for objects inside another one, where they live. */
    locate?: Locator;
    /** Checks the type's own fields and returns the checked inputs (endpoint added by the caller). */
    check(c: Checker, urn: string, olds: Props, news: Props): Props;
    diff(olds: Props, news: Props): PlannedDiff;
    /** Runs before the POST, to name a missing parent (a pool) instead of passing LXD's 404 on. */
    beforeCreate?(client: LxdClient, inputs: Props): Promise<void>;
    /** The POST body that creates the object. */
    createBody(inputs: Props): Record<string, unknown>;
    /**
     * Whether an object that already exists may be taken over instead of refused (then updated
     * to the inputs). One that carries another cluster's `user.bcm.cluster` is refused naming
     * that cluster whatever this says.
     */
    adopt?(live: LiveObject, inputs: Props): boolean;
    /** The PUT body from the live object and the new inputs (server-filled keys carried over). */
    putBody(live: LiveObject, inputs: Props): Record<string, unknown>;
    /** The outputs from the live object and its id. */
    outputs(live: LiveObject, id: string): Props;
    /**
     * Why a delete may be refused ("in use"), and what to do, appended to LXD's message; a
     * function gets the live object, to name what uses it.
     */
    deleteHint?: string | ((live: LiveObject | undefined, id: string) => string);
}

async function getLive(client: LxdClient, at: Locator, id: string): Promise<{ live: LiveObject; etag?: string } | undefined> {
    try {
        const { metadata, etag } = await client.getWithEtag<LiveObject>(at.path(id), { object: at.describe(id) });
        return { live: metadata, etag };
    } catch (err) {
        if (isLxdError(err, 404)) {
            return undefined;
        }
        throw err;
    }
}

/**
 * The CRUD of a named LXD object that is created by POST, changed by PUT (with If-Match
 * when LXD sends an ETag: storage pools on 5.0.2 send none) and deleted by DELETE. The
 * id is the name, or what the spec's locator makes of the inputs.
 */
export function namedObjectHandler(spec: NamedObjectSpec): ResourceHandler {
    if (!spec.locate && !spec.collection) {
        throw new Error(`the ${spec.kind} handler needs a collection or a locator`);
    }
    const at = spec.locate ?? byName(spec.kind, spec.collection!);
    const withEndpoint = (outs: Props, from: Props): Props => ({ ...outs, endpoint: from.endpoint });
    return {
        async check(urn, olds, news) {
            const c = new Checker(news);
            const inputs = spec.check(c, urn, olds, news);
            return { inputs: { ...inputs, endpoint: c.endpoint() }, failures: c.failures };
        },

        diff: spec.diff,

        async create(inputs) {
            const client = await connect(inputs.endpoint as Endpoint);
            const id = at.id(inputs);
            await spec.beforeCreate?.(client, inputs);
            const existing = await getLive(client, at, id);
            if (existing && spec.adopt?.(existing.live, inputs)) {
                await client.run("PUT", at.path(id), { body: spec.putBody(existing.live, inputs), etag: existing.etag, object: at.describe(id) });
                const adopted = (await getLive(client, at, id))!;
                return { id, outs: withEndpoint(spec.outputs(adopted.live, id), inputs) };
            }
            if (existing) {
                const claim = claimOf(existing.live.config, inputs.config);
                if (claim.kind === "foreign") throw foreignObjectError(at.describe(id), client.url, claim.owner, inputs.config);
                throw new Error(`name: ${at.named(id)} already exists on ${client.url}; import it or choose another name`);
            }
            await client.run("POST", at.collection(inputs), { body: spec.createBody(inputs), object: at.describe(id) });
            const found = await getLive(client, at, id);
            if (!found) {
                throw new Error(`${at.describe(id)} on ${client.url}: created, but it is not there`);
            }
            return { id, outs: withEndpoint(spec.outputs(found.live, id), inputs) };
        },

        async read(id, props) {
            const client = await connect(props.endpoint as Endpoint | undefined);
            const found = await getLive(client, at, id);
            if (!found || found.live.managed === false) {
                return {}; // gone (an unmanaged host interface of the same name is not ours)
            }
            return { id, props: withEndpoint(spec.outputs(found.live, id), props) };
        },

        async update(id, _olds, news) {
            const client = await connect(news.endpoint as Endpoint);
            for (let attempt = 1; ; attempt++) {
                const found = await getLive(client, at, id);
                if (!found) {
                    throw new Error(`${at.describe(id)} no longer exists on ${client.url}; run \`pulumi refresh\` and the next up creates it again`);
                }
                try {
                    await client.run("PUT", at.path(id), {
                        body: spec.putBody(found.live, news),
                        etag: found.etag,
                        object: at.describe(id),
                    });
                    break;
                } catch (err) {
                    if (!isLxdError(err, 412) || attempt >= 2) {
                        throw err;
                    }
                }
            }
            const after = await getLive(client, at, id);
            if (!after) {
                throw new Error(`${at.describe(id)} on ${client.url}: updated, but it is not there any more`);
            }
            return withEndpoint(spec.outputs(after.live, id), news);
        },

        async delete(id, props) {
            const client = await connect(props.endpoint as Endpoint | undefined);
            try {
                await client.run("DELETE", at.path(id), { object: at.describe(id) });
            } catch (err) {
                if (isLxdError(err, 404)) {
                    return;
                }
                if (spec.deleteHint && /in use/i.test(messageOf(err))) {
                    const hint =
                        typeof spec.deleteHint === "string"
                            ? spec.deleteHint
                            : spec.deleteHint((await getLive(client, at, id).catch(() => undefined))?.live, id);
                    throw new Error(`${messageOf(err)}; ${hint}`);
                }
                throw err;
            }
        },
    };
}
