// Whether a deploy fits its storage pool (pure): what it will write that is not there yet (a
// new chain volume grows to the chain's size; pruned, to the prune target and the chain state),
// what the pre-update snapshots copy (on the dir driver a snapshot is a full copy), against the
// pool's free space with a margin.

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** What a chain volume grows to (the node's blocks and indexes, lnd, the Electrum index), rounded up. */
export function expectedChainBytes(chain: string, prune?: number): number {
    const full: Record<string, number> = { mainnet: 900 * GiB, testnet: 250 * GiB, signet: 40 * GiB, regtest: 1 * GiB };
    const state: Record<string, number> = { mainnet: 15 * GiB, testnet: 6 * GiB, signet: 2 * GiB, regtest: 1 * GiB };
    const total = full[chain] ?? full.mainnet;
    return prune === undefined ? total : Math.min(total, prune * MiB + (state[chain] ?? state.mainnet));
}

export interface SpaceNeed {
    what: string;
    bytes: number;
}

/** The free space a deploy leaves untouched: 5% of the pool, at least 2 GiB. */
export const marginBytes = (total: number) => Math.max(2 * GiB, Math.floor(total * 0.05));

const gib = (n: number) => `${(n / GiB).toFixed(1)} GiB`;

/** The one-line refusal when the needs do not fit the pool's free space and margin, else undefined. */
export function spaceProblem(pool: string, space: { used: number; total: number }, needs: SpaceNeed[]): string | undefined {
    const need = needs.reduce((n, x) => n + x.bytes, 0);
    const free = space.total - space.used;
    const margin = marginBytes(space.total);
    if (need + margin <= free) return undefined;
    const biggest = [...needs].sort((a, b) => b.bytes - a.bytes).slice(0, 3).map((x) => `${x.what} ${gib(x.bytes)}`).join(", ");
    return `storage pool ${pool} has ${gib(free)} free; this deploy needs about ${gib(need)} (${biggest}) and leaves ${gib(margin)} free; fix: free space on the pool, add a larger one, or prune the chain (bcm:bitcoin.prune with bitcoind)`;
}
