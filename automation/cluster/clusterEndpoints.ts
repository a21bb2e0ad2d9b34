// Which LXD endpoints a cluster's maintenance commands reach. Normally the ones the stack
// exported; but a run killed before its end never wrote the stack's outputs, and that is
// exactly when `bcm cluster cull` is needed. Then the endpoints come from the state (every
// LXD resource records the endpoint it lives on) and from the config (local endpoints).
import { defaultSocketPath } from "../../components/lxd/client";
import { EndpointSpec } from "../../components/datacenter/spec";
import { ExportedEndpoint } from "./workspace";

interface StateResource {
    type: string;
    inputs?: Record<string, unknown>;
}

/** The spec an endpoint URL belongs to: the local one for a unix socket, else the ssh spec whose HTTPS address the URL names. */
function specFor(url: string, specs: EndpointSpec[]): EndpointSpec | undefined {
    if (url.startsWith("unix://")) return specs.find((s) => s.mode === "local");
    const host = /^https:\/\/\[?([^\]/]+?)\]?(:\d+)?(\/|$)/.exec(url)?.[1];
    return specs.find((s) => s.mode === "ssh" && (s.address ?? s.host) === host);
}

/** The endpoints to reach (pure: tested directly): exported ones, else those the state and the config name. */
export function clusterEndpoints(exported: ExportedEndpoint[], specs: EndpointSpec[], resources: StateResource[]): ExportedEndpoint[] {
    if (exported.length > 0) return exported;
    const found = new Map<string, ExportedEndpoint>();
    for (const r of resources) {
        if (!r.type.startsWith("lxd:")) continue;
        // No endpoint input: the local daemon. A secret one is stored encrypted (no url key):
        // skipped, the config's local endpoint still covers the standalone case below.
        const e = r.inputs?.endpoint as { url?: unknown; serverFingerprint?: unknown } | undefined;
        if (e !== undefined && typeof e.url !== "string") continue;
        const url = typeof e?.url === "string" ? e.url : `unix://${defaultSocketPath}`;
        if (found.has(url)) continue;
        const spec = specFor(url, specs);
        found.set(url, {
            name: spec?.name ?? `endpoint-${found.size + 1}`,
            mode: url.startsWith("unix://") ? "local" : "ssh",
            url,
            ...(typeof e?.serverFingerprint === "string" ? { serverFingerprint: e.serverFingerprint } : {}),
        });
    }
    for (const s of specs.filter((x) => x.mode === "local")) {
        const url = `unix://${s.socketPath ?? defaultSocketPath}`;
        if (!found.has(url)) found.set(url, { name: s.name, mode: "local", url });
    }
    return [...found.values()];
}
