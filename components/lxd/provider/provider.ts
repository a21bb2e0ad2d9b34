import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumiProvider from "@pulumi/pulumi/provider";
import { ResourceHandler, PartialCreateError, Props } from "./handler";
import { imageHandler } from "./image";
import { instanceHandler } from "./instance";
import { networkHandler } from "./network";
import { profileHandler } from "./profile";
import { annotateSecrets, protectClientKey, unwrapSecrets } from "./rpc";
import { storagePoolHandler } from "./storagePool";

/** The type tokens this provider serves, and their handlers. */
export const handlers: Record<string, ResourceHandler> = {
    "lxd:index:Instance": instanceHandler,
    "lxd:index:Profile": profileHandler,
    "lxd:index:Network": networkHandler,
    "lxd:index:StoragePool": storagePoolHandler,
    "lxd:index:Image": imageHandler,
};

/** The provider's version: the project's (package.json at the repository root). */
export const providerVersion: string = JSON.parse(
    fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "package.json"), "utf8"),
).version;

/** The resource type of a URN: `urn:pulumi:s::p::parent$lxd:index:Instance::web` → `lxd:index:Instance`. */
export function urnType(urn: string): string {
    return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}

/**
 * The LXD resource provider, served to the engine over gRPC by `pulumi.provider.main`.
 * It dispatches by type token and does the plumbing every type shares: secrets are
 * unwrapped before a handler sees the values and marked again on what it returns (the
 * engine leaves that to providers that accept secrets), the client key is always secret,
 * and undefined fields are dropped (protobuf Structs cannot hold them).
 */
export class LxdProvider implements pulumiProvider.Provider {
    public readonly version = providerVersion;

    public async check(urn: string, olds: Props, news: Props): Promise<pulumiProvider.CheckResult> {
        const { inputs, failures } = await handlerFor(urn).check(urn, plain(olds ?? {}), plain(news));
        return { inputs: finish(annotateSecrets(inputs, news)), failures };
    }

    public async diff(_id: string, urn: string, olds: Props, news: Props): Promise<pulumiProvider.DiffResult> {
        const plan = handlerFor(urn).diff(plain(olds), plain(news));
        return {
            changes: plan.replaces.length + plan.updates.length > 0,
            replaces: plan.replaces,
            deleteBeforeReplace: plan.deleteBeforeReplace,
        };
    }

    public async create(urn: string, inputs: Props): Promise<pulumiProvider.CreateResult> {
        try {
            const { id, outs } = await handlerFor(urn).create(plain(inputs));
            return { id, outs: finish(annotateSecrets(outs, inputs)) };
        } catch (err) {
            if (err instanceof PartialCreateError) {
                // The provider server turns an error with `id` into the engine's
                // "created but failed to initialise": the object stays tracked.
                throw Object.assign(new Error(err.message), {
                    id: err.id,
                    properties: finish(annotateSecrets({ ...inputs, ...err.properties }, inputs)),
                    reasons: err.reasons,
                });
            }
            throw err;
        }
    }

    public async read(id: string, urn: string, props?: Props): Promise<pulumiProvider.ReadResult> {
        const old = props ?? {};
        const result = await handlerFor(urn).read(id, plain(old));
        if (!result.id) {
            return { id: "", props: {} }; // gone: the engine drops it from the state
        }
        return {
            id: result.id,
            props: finish(annotateSecrets(result.props ?? {}, old)),
            inputs: result.inputs ? finish(annotateSecrets(result.inputs, old)) : undefined,
        };
    }

    public async update(id: string, urn: string, olds: Props, news: Props): Promise<pulumiProvider.UpdateResult> {
        const outs = await handlerFor(urn).update(id, plain(olds), plain(news));
        return { outs: finish(annotateSecrets(outs, news)) };
    }

    public async delete(id: string, urn: string, props: Props): Promise<void> {
        await handlerFor(urn).delete(id, plain(props));
    }
}

function handlerFor(urn: string): ResourceHandler {
    const type = urnType(urn);
    const handler = handlers[type];
    if (!handler) {
        throw new Error(`the lxd provider has no resource type ${type} (it has ${Object.keys(handlers).join(", ")})`);
    }
    return handler;
}

function plain(props: Props): Props {
    return unwrapSecrets(props) as Props;
}

/** Marks the client key secret and drops undefined values, which a protobuf Struct cannot hold. */
function finish(props: Props): Props {
    return dropUndefined(protectClientKey(props)) as Props;
}

function dropUndefined(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(dropUndefined);
    }
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(
            Object.entries(v)
                .filter(([, x]) => x !== undefined)
                .map(([k, x]) => [k, dropUndefined(x)]),
        );
    }
    return v;
}
