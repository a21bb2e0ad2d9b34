import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { Endpoint, defaultSocketPath } from "../client/endpoint";
import { PlannedDiff } from "./diff";
import { Props, ResourceHandler } from "./handler";
import { ForwarderSpec, runningForwarder, startForwarder, stopForwarder } from "./socketForwarder";
import { Checker, instanceNamePattern } from "./validate";
import { isUnknown } from "./rpc";

/** An InstanceSocket's checked inputs. */
interface SocketInputs {
    instance: string;
    path: string;
    target: string;
    endpoint: Endpoint;
}

/** The forwarder an InstanceSocket's inputs describe. */
export function specOf(i: Props): ForwarderSpec {
    const url = (i.endpoint as Endpoint | undefined)?.url ?? `unix://${defaultSocketPath}`;
    return { path: String(i.path), instance: String(i.instance), target: String(i.target), lxdSocket: url.slice("unix://".length) || defaultSocketPath };
}

/** A new path is a new socket (the old one goes after); the rest restarts the forwarder in place. */
export function diffInstanceSocket(olds: Props, news: Props): PlannedDiff {
    const changed = (f: string) => !isDeepStrictEqual(olds[f], news[f]);
    return { replaces: ["path"].filter(changed), updates: ["instance", "target", "endpoint"].filter(changed), deleteBeforeReplace: false };
}

function outputs(inputs: Props, pid: number): Props {
    return { ...inputs, pid, running: true };
}

/**
 * lxd:index:InstanceSocket: a root-only unix socket on this host that forwards to a unix
 * socket inside a local instance (the operator's Docker socket), served by
 * bcm-docker-forward. It stands in for a `proxy` device, whose relay in LXD 5.0.2 closes
 * both directions when one ends and so loses `docker exec` and `docker attach` output
 * (toolchain/dockerforward explains). The forwarder runs on its own; a forwarder that is
 * gone (a reboot of this host) is a change on the next up, which starts it again.
 */
export const instanceSocketHandler: ResourceHandler = {
    async check(_urn, _olds, news) {
        const c = new Checker(news);
        const absolute = (key: string, fallback?: string) => {
            const v = c.string(key, { required: fallback === undefined, hint: "an absolute path" }) ?? fallback;
            if (typeof v === "string" && !isUnknown(v) && (!path.isAbsolute(v) || path.normalize(v) !== v)) c.fail(key, `"${v}" must be an absolute, normalised path`);
            return v;
        };
        const endpoint = c.endpoint();
        if (typeof endpoint === "object" && !endpoint.url?.startsWith("unix://")) {
            c.fail("endpoint", `the socket and its forwarder live on this host, so the instance must be on the local daemon (a unix:// endpoint), not ${endpoint.url}`);
        }
        const inputs: Props = {
            instance: c.string("instance", { required: true, pattern: instanceNamePattern, hint: "an lxd:index:Instance's name output" }),
            path: absolute("path"),
            target: absolute("target", "/run/docker.sock"),
            endpoint,
        };
        return { inputs, failures: c.failures };
    },

    diff: diffInstanceSocket,

    async liveDrift(olds, news) {
        if (diffInstanceSocket(olds, news).replaces.length > 0) return [];
        return runningForwarder(specOf(olds)) === undefined ? ["running"] : [];
    },

    async create(props) {
        const inputs = props as unknown as SocketInputs;
        const spec = specOf(props);
        // Adopts a forwarder already serving exactly this (left by an interrupted run).
        const pid = runningForwarder(spec) ?? (await startForwarder(spec));
        return { id: inputs.path, outs: outputs(props, pid) };
    },

    async read(id, props) {
        const pid = runningForwarder(specOf({ ...props, path: props.path ?? id }));
        return pid === undefined ? {} : { id, props: outputs(props, pid) };
    },

    async update(_id, olds, news) {
        await stopForwarder(specOf(olds));
        return outputs(news, await startForwarder(specOf(news)));
    },

    async delete(_id, props) {
        await stopForwarder(specOf(props));
    },
};
