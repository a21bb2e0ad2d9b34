// The LXD client of the endpoint that holds a cluster's system container.
import type { LxdClient } from "../../components/lxd/client";
import type { EndpointSpec } from "../../components/datacenter/spec";
import { clientFor, ExportedEndpoint } from "../cluster/workspace";

/** The client of the endpoint holding `instance`; the caller closes it. A one-line error when none does. */
export async function clientHolding(instance: string, endpoints: { exported: ExportedEndpoint[]; specs: EndpointSpec[] }): Promise<LxdClient> {
    const problems: string[] = [];
    for (const e of endpoints.exported) {
        const client = clientFor(e, endpoints.specs.find((s) => s.name === e.name));
        try {
            if (await client.exists(`/1.0/instances/${encodeURIComponent(instance)}`)) return client;
            problems.push(`${e.name}: not there`);
        } catch (err) {
            problems.push(`${e.name}: ${(err as Error).message.split("\n")[0]}`);
        }
        client.close();
    }
    throw new Error(`no endpoint holds ${instance} (${problems.join("; ") || "no endpoints"})`);
}
