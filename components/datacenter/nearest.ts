// The known name nearest to a misspelled one, for "unknown key" messages (`bcm:chian` → `bcm:chain`).

/** Levenshtein distance (insertions, deletions, substitutions), with adjacent swaps counted once. */
export function editDistance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/** The known name closest to `name` (case-insensitive), if it is close enough to be a typo: at most a third of its length, at least 2. */
export function nearest(name: string, known: readonly string[]): string | undefined {
    let best: { k: string; d: number } | undefined;
    for (const k of known) {
        const d = editDistance(name.toLowerCase(), k.toLowerCase());
        if (best === undefined || d < best.d) best = { k, d };
    }
    return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.k : undefined;
}

/** "unknown key" with the nearest known one, or the list of known ones. */
export function unknownKeyMessage(at: string, name: string, known: readonly string[]): string {
    const near = nearest(name, known);
    return `${at}: unknown key; ${near !== undefined ? `did you mean ${near}?` : `known: ${known.join(", ")}`}`;
}
