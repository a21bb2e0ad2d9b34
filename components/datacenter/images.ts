// Which Docker images a data center runs, decided from its spec: the gateway's, and each
// deployed workload tier's (its table entry names them). Pure, so a missing image is named
// before anything is registered.
import { DataCenterSpec } from "./dataCenterSpec";
import { SpecError } from "./spec";
import type { Workload } from "./workload";
import { workloads as defaultWorkloads } from "./workloads";

/** The gateway's own images, and `toolbox` (the operator's tools in the swarm). */
export const gatewayImageNames = ["registry", "tor", "toolbox"] as const;

/** The images a spec needs: name → a fixed tag its settings give, or undefined for the built one. */
export function requiredImages(spec: DataCenterSpec, table: readonly Workload<any>[] = defaultWorkloads): Record<string, string | undefined> {
    const deployed = new Set(spec.tiers.map((t) => t.name));
    const out: Record<string, string | undefined> = Object.fromEntries(gatewayImageNames.map((n) => [n, undefined]));
    for (const w of table) if (deployed.has(w.name)) Object.assign(out, w.images(spec.settings[w.name]));
    return out;
}

/**
 * The local tags to publish: what the spec needs, from `built` (images/docker/build.sh's
 * output, or `bcm:dockerImages`) unless the settings fix a tag, plus `debian` (the base for
 * workloads of the user's own). Throws a SpecError naming each missing image and its fix.
 */
export function resolveImages(spec: DataCenterSpec, built: Record<string, string>, table: readonly Workload<any>[] = defaultWorkloads): Record<string, string> {
    const problems: string[] = [];
    const out: Record<string, string> = {};
    for (const [n, fixed] of Object.entries(requiredImages(spec, table))) {
        const tag = fixed ?? built[n];
        if (typeof tag === "string") out[n] = tag;
        else problems.push(`bcm:dockerImages.${n}: missing; run \`bash images/docker/build.sh\` and set it from its output`);
    }
    if (typeof built.debian === "string") out.debian = built.debian;
    if (problems.length > 0) throw new SpecError(problems.join("; "));
    return out;
}
