import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumiProvider from "@pulumi/pulumi/provider";
import { messageOf } from "../client/errors";
import { execHandler } from "./exec";
import { ResourceHandler, PartialCreateError, Props } from "./handler";
import { imageHandler } from "./image";
import { instanceHandler } from "./instance";
import { instanceSocketHandler } from "./instanceSocket";
import { networkHandler } from "./network";
import { networkAclHandler } from "./networkAcl";
import { profileHandler } from "./profile";
import { annotateSecrets, hasProgramSecrets, markSecret, protectClientKey, redact, secretStrings, unwrapSecrets } from "./rpc";
import { staticAddressHandler } from "./staticAddress";
import { storagePoolHandler } from "./storagePool";
import { storageVolumeHandler } from "./storageVolume";

/** The type tokens this provider serves, and their handlers. */
export const handlers: Record<string, ResourceHandler> = {
    "lxd:index:Instance": instanceHandler,
    "lxd:index:Profile": profileHandler,
    "lxd:index:Network": networkHandler,
    "lxd:index:NetworkAcl": networkAclHandler,
    "lxd:index:StoragePool": storagePoolHandler,
    "lxd:index:StorageVolume": storageVolumeHandler,
    "lxd:index:Image": imageHandler,
    "lxd:index:Exec": execHandler,
    "lxd:index:InstanceSocket": instanceSocketHandler,
    "lxd:index:StaticAddress": staticAddressHandler,
};

/** The package.json of the package this file is in (the repository's, or node_modules/bcm's): the nearest one above. */
function ownPackageJson(dir: string): string {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) return file;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
    return ownPackageJson(path.dirname(dir));
}

/** The provider's version: the project's (its package.json). */
export const providerVersion: string = JSON.parse(fs.readFileSync(ownPackageJson(__dirname), "utf8")).version;

/** The resource type of a URN: `urn:pulumi:s::p::parent$lxd:index:Instance::web` → `lxd:index:Instance`. */
export function urnType(urn: string): string {
    return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}

/**
 * The LXD resource provider, served to the engine over gRPC by `pulumi.provider.main`.
 * It dispatches by type token and does the plumbing every type shares: secrets are
 * unwrapped before a handler sees the values and marked again on what it returns (the
 * engine leaves that to providers that accept secrets), the client key is always secret,
 * outputs derived from every input are secret when any input is, secrets are blanked out
 * of error messages, and undefined fields are dropped (protobuf Structs cannot hold them).
 */
export class LxdProvider implements pulumiProvider.Provider {
    public readonly version = providerVersion;

    public async check(urn: string, olds: Props, news: Props): Promise<pulumiProvider.CheckResult> {
        const { inputs, failures } = await handlerFor(urn).check(urn, plain(olds ?? {}), plain(news));
        return { inputs: finish(annotateSecrets(inputs, news)), failures };
    }

    public async diff(_id: string, urn: string, olds: Props, news: Props): Promise<pulumiProvider.DiffResult> {
        const handler = handlerFor(urn);
        const plan = handler.diff(plain(olds), plain(news));
        if (plan.replaces.length === 0 && handler.liveDrift) {
            const drifted = await handler.liveDrift(plain(olds), plain(news));
            plan.updates = [...new Set([...plan.updates, ...drifted])];
        }
        return {
            changes: plan.replaces.length + plan.updates.length > 0,
            replaces: plan.replaces,
            deleteBeforeReplace: plan.deleteBeforeReplace,
        };
    }

    public async create(urn: string, inputs: Props): Promise<pulumiProvider.CreateResult> {
        const handler = handlerFor(urn);
        try {
            const { id, outs } = await handler.create(plain(inputs));
            return { id, outs: finish(secretOutputs(handler, outs, inputs)) };
        } catch (err) {
            if (err instanceof PartialCreateError) {
                // The provider server turns an error with `id` into the engine's
                // "created but failed to initialise": the object stays tracked.
                throw redacted(
                    Object.assign(new Error(err.message), {
                        id: err.id,
                        properties: finish(secretOutputs(handler, { ...inputs, ...err.properties }, inputs)),
                        reasons: err.reasons,
                    }),
                    inputs,
                );
            }
            throw redacted(err, inputs);
        }
    }

    public async read(id: string, urn: string, props?: Props): Promise<pulumiProvider.ReadResult> {
        const old = props ?? {};
        const handler = handlerFor(urn);
        const result = await handler.read(id, plain(old)).catch((err: unknown) => {
            throw redacted(err, old);
        });
        if (!result.id) {
            return { id: "", props: {} }; // gone: the engine drops it from the state
        }
        return {
            id: result.id,
            props: finish(secretOutputs(handler, result.props ?? {}, old)),
            inputs: result.inputs ? finish(annotateSecrets(result.inputs, old)) : undefined,
        };
    }

    public async update(id: string, urn: string, olds: Props, news: Props): Promise<pulumiProvider.UpdateResult> {
        const handler = handlerFor(urn);
        const outs = await handler.update(id, plain(olds), plain(news)).catch((err: unknown) => {
            throw redacted(err, news, olds);
        });
        // A derived output keeps the secrecy it had: it was computed from the old inputs.
        const wasSecret = hasProgramSecrets(olds) ? handler.derivedOutputs ?? [] : [];
        return { outs: finish(markSecret(secretOutputs(handler, outs, news), wasSecret)) };
    }

    public async delete(id: string, urn: string, props: Props): Promise<void> {
        await handlerFor(urn)
            .delete(id, plain(props))
            .catch((err: unknown) => {
                throw redacted(err, props);
            });
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

/** Copies secrecy from inputs to outputs, and makes derived outputs secret when any input was. */
function secretOutputs(handler: ResourceHandler, outs: Props, inputs: Props): Props {
    const annotated = annotateSecrets(outs, inputs);
    return handler.derivedOutputs && hasProgramSecrets(inputs) ? markSecret(annotated, handler.derivedOutputs) : annotated;
}

/**
 * The error with the secrets of the given property bags blanked out of its message and
 * reasons; its other fields (the id of a partial create) are kept.
 */
function redacted(err: unknown, ...sources: Props[]): unknown {
    const secrets = sources.flatMap((s) => secretStrings(s));
    const message = messageOf(err);
    if (secrets.length === 0 || redact(message, secrets) === message) {
        return err;
    }
    const fields = err !== null && typeof err === "object" ? (err as Record<string, unknown>) : {};
    const reasons = Array.isArray(fields.reasons) ? fields.reasons.map((r) => redact(String(r), secrets)) : undefined;
    return Object.assign(new Error(redact(message, secrets)), {
        ...(fields.id !== undefined ? { id: fields.id, properties: fields.properties } : {}),
        ...(reasons ? { reasons } : {}),
    });
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
