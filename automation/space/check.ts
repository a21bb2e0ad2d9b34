// Before an update: does what it will write fit the storage pool? A new chain volume (the
// bitcoin tier's first deploy on a chain) and, where the pool's driver copies (dir), the
// pre-update snapshots of the cluster's volumes. Refused in one line before anything changes.
import type { DataCenterSpec } from "../../components/datacenter/dataCenterSpec";
import type { BitcoinSettings } from "../../components/bitcoin/settings";
import { CliError } from "../cli/errors";
import { Endpoints, onEndpoints } from "../snapshots/inventory";
import { readDisks } from "../health/read";
import { expectedChainBytes, SpaceNeed, spaceProblem } from "./estimate";

/** Drivers whose snapshots are full copies of the volume. */
const copyingDrivers = new Set(["dir"]);

export async function checkSpace(cluster: string, spec: DataCenterSpec | undefined, endpoints: Endpoints, snapshots: boolean, say: (line: string) => void): Promise<void> {
    if (!spec) return;
    const disks = await readDisks(cluster, endpoints);
    const drivers = new Map<string, string>();
    await onEndpoints(endpoints, async (endpoint, client) => {
        for (const p of await client.get<{ name: string; driver: string }[]>("/1.0/storage-pools?recursion=1")) drivers.set(`${endpoint}/${p.name}`, p.driver);
    });
    const bitcoin = spec.tiers.some((t) => t.name === "bitcoin") ? (spec.settings.bitcoin as BitcoinSettings | undefined) : undefined;
    const chainVolume = `bcm-bitcoin-01-chain-${spec.chain}`;
    const chainExists = disks.some((d) => d.volumes.some((v) => v.name === chainVolume));
    for (const d of disks) {
        for (const p of d.pools) {
            if (p.used === undefined || p.total === undefined) continue;
            const needs: SpaceNeed[] = [];
            // The tier volumes are on the pool "default" unless placed otherwise (SystemContainerTier).
            if (bitcoin && !chainExists && p.name === "default" && d === disks[0]) needs.push({ what: `new volume ${chainVolume}`, bytes: expectedChainBytes(spec.chain, bitcoin.prune) });
            if (snapshots && copyingDrivers.has(drivers.get(`${d.endpoint}/${p.name}`) ?? "")) {
                for (const v of d.volumes.filter((x) => x.pool === p.name && x.used !== undefined)) needs.push({ what: `snapshot of ${v.name}`, bytes: v.used! });
            }
            const problem = spaceProblem(`${d.endpoint}/${p.name}`, { used: p.used, total: p.total }, needs);
            if (problem) throw new CliError(`cluster ${cluster}: ${problem}${snapshots ? " (or turn the pre-update snapshots off: bcm:snapshots.enabled false)" : ""}; nothing was changed`);
            if (needs.length > 0) say(`[bcm space] ${d.endpoint}/${p.name}: ${((p.total - p.used) / 1024 ** 3).toFixed(1)} GiB free, this update needs about ${(needs.reduce((n, x) => n + x.bytes, 0) / 1024 ** 3).toFixed(1)} GiB`);
        }
    }
}
