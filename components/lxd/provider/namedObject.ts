import { LxdClient } from "../client/client";
import { Endpoint } from "../client/endpoint";
import { isLxdError, messageOf } from "../client/errors";
import { connect } from "./connection";
import { PlannedDiff } from "./diff";
import { Props, ResourceHandler } from "./handler";
import { Checker } from "./validate";

/** An LXD object as GET shows it: profiles, networks and pools all have these. */
export interface LiveObject {
    name: string;
    description: string;
    config: Record<string, string>;
    [field: string]: unknown;
}

/** What differs between profiles, networks and storage pools; the CRUD around it is shared. */
export interface NamedObjectSpec {
    /** For messages: "profile", "network", "storage pool". */
    kind: string;
    /** The collection's API path, e.g. `/1.0/profiles`. */
    collection: string;
    /** Checks the type's own fields and returns the checked inputs (endpoint added by the caller). */
    check(c: Checker, urn: string, olds: Props, news: Props): Props;
    diff(olds: Props, news: Props): PlannedDiff;
    /** The POST body that creates the object. */
    createBody(inputs: Props): Record<string, unknown>;
    /** The PUT body from the live object and the new inputs (server-filled keys carried over). */
    putBody(live: LiveObject, inputs: Props): Record<string, unknown>;
    /** The outputs from the live object. */
    outputs(live: LiveObject): Props;
    /** Why a delete may be refused, and what to do, appended to LXD's message. */
    deleteHint?: string;
}

function objectPath(spec: NamedObjectSpec, name: string): string {
    return `${spec.collection}/${encodeURIComponent(name)}`;
}

async function getLive(client: LxdClient, spec: NamedObjectSpec, name: string): Promise<{ live: LiveObject; etag?: string } | undefined> {
    try {
        const { metadata, etag } = await client.getWithEtag<LiveObject>(objectPath(spec, name));
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
 * id is the name.
 */
export function namedObjectHandler(spec: NamedObjectSpec): ResourceHandler {
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
            const name = inputs.name as string;
            if (await getLive(client, spec, name)) {
                throw new Error(`name: a ${spec.kind} named ${name} already exists on ${client.url}; import it or choose another name`);
            }
            await client.run("POST", spec.collection, { body: spec.createBody(inputs), object: `${spec.kind} ${name}` });
            const found = await getLive(client, spec, name);
            if (!found) {
                throw new Error(`${spec.kind} ${name} on ${client.url}: created, but it is not there`);
            }
            return { id: name, outs: withEndpoint(spec.outputs(found.live), inputs) };
        },

        async read(id, props) {
            const client = await connect(props.endpoint as Endpoint | undefined);
            const found = await getLive(client, spec, id);
            if (!found || found.live.managed === false) {
                return {}; // gone (an unmanaged host interface of the same name is not ours)
            }
            return { id, props: withEndpoint(spec.outputs(found.live), props) };
        },

        async update(id, _olds, news) {
            const client = await connect(news.endpoint as Endpoint);
            for (let attempt = 1; ; attempt++) {
                const found = await getLive(client, spec, id);
                if (!found) {
                    throw new Error(`${spec.kind} ${id} no longer exists on ${client.url}; run \`pulumi refresh\` and the next up creates it again`);
                }
                try {
                    await client.run("PUT", objectPath(spec, id), {
                        body: spec.putBody(found.live, news),
                        etag: found.etag,
                        object: `${spec.kind} ${id}`,
                    });
                    break;
                } catch (err) {
                    if (!isLxdError(err, 412) || attempt >= 2) {
                        throw err;
                    }
                }
            }
            const after = await getLive(client, spec, id);
            if (!after) {
                throw new Error(`${spec.kind} ${id} on ${client.url}: updated, but it is not there any more`);
            }
            return withEndpoint(spec.outputs(after.live), news);
        },

        async delete(id, props) {
            const client = await connect(props.endpoint as Endpoint | undefined);
            try {
                await client.run("DELETE", objectPath(spec, id), { object: `${spec.kind} ${id}` });
            } catch (err) {
                if (isLxdError(err, 404)) {
                    return;
                }
                if (spec.deleteHint && /in use/i.test(messageOf(err))) {
                    throw new Error(`${messageOf(err)}; ${spec.deleteHint}`);
                }
                throw err;
            }
        },
    };
}
