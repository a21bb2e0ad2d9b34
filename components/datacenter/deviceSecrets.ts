// What the device must give a deploy, and what a first deploy fixes in the stack's settings:
// asked of the deployed workloads' table entries, so the CLI (which talks to the device) and
// the program (which checks it got everything before registering anything) agree.
import { DataCenterSpec } from "./dataCenterSpec";
import type { DeviceSecret, Workload } from "./workload";
import { workloads as defaultWorkloads } from "./workloads";

/** The deployed workloads, in the spec's order. */
function deployed(spec: DataCenterSpec, table: readonly Workload<any>[]): Workload<any>[] {
    const names = new Set(spec.tiers.map((t) => t.name));
    return table.filter((w) => names.has(w.name));
}

/** Every value the device must give this spec's deploy (the stack's secret `bcm:<key>`). */
export function deviceSecretRequests(spec: DataCenterSpec, cluster: string, table: readonly Workload<any>[] = defaultWorkloads): DeviceSecret[] {
    return deployed(spec, table).flatMap((w) => w.deviceSecrets?.(spec.settings[w.name], cluster, spec.chain) ?? []);
}

/**
 * The settings a first deploy fixes, per workload (`bcm:<name>` keys to add), e.g. the
 * Lightning wallet's birthday: `today` is YYYY-MM-DD (UTC).
 */
export function firstDeploySettings(spec: DataCenterSpec, today: string, table: readonly Workload<any>[] = defaultWorkloads): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const w of deployed(spec, table)) {
        const add = w.firstDeploySettings?.(spec.settings[w.name], today);
        if (add && Object.keys(add).length > 0) out[w.name] = add;
    }
    return out;
}
