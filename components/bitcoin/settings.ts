// `bcm:bitcoin`: the bitcoin tier's settings in the stack config, read in one pass with the
// rest of the data center's (components/datacenter/dataCenterSpec.ts), so a bad file names
// every wrong key before anything is registered.
import { Chain, Implementation } from "./chains";
import { regtestAddressProblem } from "./miningAddress";
import { peerAddress, peerProblem } from "./peers";

export interface BitcoinSettings {
    /** The full node: "btcd" (default; built from the Go module proxy) or "bitcoind" (an image built from a verified release). */
    implementation: Implementation;
    /** bitcoind: the local image images/bitcoind/build.sh made, `bcm/bitcoind:<version>-<hash>`. */
    image?: string;
    /** Keep the chain volume when the stack is destroyed (default: on every chain but regtest, whose chain is a throw-away and which btcd wipes at each start anyway; a real chain takes days to download again). */
    keepChainData: boolean;
    /**
     * The Lightning wallet's birthday, YYYY-MM-DD (UTC): part of its 24 aezeed words and where
     * a rescan starts. Set to the day of the tier's first deploy and written back to the stack,
     * so device + cluster + chain + birthday always give the same words.
     */
    lndBirthday?: string;
    /** Run the Electrum server (bcm-electrum) for wallets, behind an onion service with client authorization (default true). */
    electrum: boolean;
    /** regtest only: the address mined blocks pay to (a wallet of your own); default an address of a key the stack draws and keeps. */
    miningAddress?: string;
    /** bitcoind only: keep this many MiB of blocks (at least 550, Bitcoin Core's minimum); btcd cannot prune. */
    prune?: number;
    /** Full nodes the node always connects to, through Tor (components/bitcoin/peers.ts): `host:port`, default none. */
    peers: string[];
}

/** Bitcoin Core's smallest prune target, MiB. */
export const MIN_PRUNE_MIB = 550;

/** The genesis block's day: no wallet is older. */
const GENESIS_DAY = "2009-01-03";

/** Checks a birthday against `today` (YYYY-MM-DD, UTC); the problem as one line naming the fix, or undefined. */
export function birthdayProblem(v: unknown, today: string): string | undefined {
    const fix = `set bcm:bitcoin.lndBirthday to the day the wallet was first deployed (YYYY-MM-DD), or leave it out before the first deploy`;
    if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
        return `bcm:bitcoin.lndBirthday: ${JSON.stringify(v)} is not a date; ${fix}`;
    }
    if (v > today) return `bcm:bitcoin.lndBirthday: ${v} is in the future (today is ${today}); ${fix}`;
    if (v < GENESIS_DAY) return `bcm:bitcoin.lndBirthday: ${v} is before Bitcoin's genesis block (${GENESIS_DAY}); ${fix}`;
    return undefined;
}

/** Reads `bcm:bitcoin`: {"implementation":"btcd"|"bitcoind","image":…,"keepChainData":true,"lndBirthday":"2026-12-01","electrum":true,"miningAddress":…,"peers":["…onion:8333"]}; pushes one line per wrong key. */
export function readBitcoinSettings(raw: unknown, chain: Chain, problems: string[], today: string = new Date().toISOString().slice(0, 10)): BitcoinSettings {
    const settings: BitcoinSettings = { implementation: "btcd", keepChainData: chain !== "regtest", electrum: true, peers: [] };
    if (raw === undefined || raw === null) return settings;
    if (typeof raw !== "object" || Array.isArray(raw)) {
        problems.push(`bcm:bitcoin: must be an object, e.g. {"implementation":"btcd","keepChainData":true}`);
        return settings;
    }
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (k === "implementation") {
            if (v === "btcd" || v === "bitcoind") settings.implementation = v;
            else problems.push(`bcm:bitcoin.implementation: ${JSON.stringify(v)} is not "btcd" or "bitcoind"`);
        } else if (k === "image") {
            if (typeof v === "string" && /^bcm\/bitcoind:[A-Za-z0-9._-]+$/.test(v)) settings.image = v;
            else problems.push(`bcm:bitcoin.image: ${JSON.stringify(v)} is not a bcm/bitcoind:<tag> image; build one from a verified release with images/bitcoind/build.sh`);
        } else if (k === "keepChainData") {
            if (typeof v === "boolean") settings.keepChainData = v;
            else problems.push(`bcm:bitcoin.keepChainData: must be true or false`);
        } else if (k === "lndBirthday") {
            const problem = birthdayProblem(v, today);
            if (problem) problems.push(problem);
            else settings.lndBirthday = v as string;
        } else if (k === "electrum") {
            if (typeof v === "boolean") settings.electrum = v;
            else problems.push(`bcm:bitcoin.electrum: ${JSON.stringify(v)} is not true or false; true runs the Electrum server for wallets (the default), false turns it off`);
        } else if (k === "miningAddress") {
            const problem = chain !== "regtest" ? `only regtest mines on demand; remove it on ${chain}` : regtestAddressProblem(v);
            if (problem) problems.push(`bcm:bitcoin.miningAddress: ${problem}`);
            else settings.miningAddress = v as string;
        } else if (k === "prune") {
            if (Number.isInteger(v) && (v as number) >= MIN_PRUNE_MIB) settings.prune = v as number;
            else problems.push(`bcm:bitcoin.prune: ${JSON.stringify(v)} must be a whole number of MiB, at least ${MIN_PRUNE_MIB} (Bitcoin Core's minimum)`);
        } else if (k === "peers") {
            if (!Array.isArray(v)) {
                problems.push(`bcm:bitcoin.peers: must be a list of "host[:port]" strings, e.g. ["<56 characters>.onion:8333"]`);
                continue;
            }
            const found = v.map((p, i) => peerProblem(p, i));
            problems.push(...found.filter((p): p is string => p !== undefined));
            if (found.every((p) => p === undefined)) settings.peers = [...new Set((v as string[]).map((p) => peerAddress(p, chain)))];
        } else {
            problems.push(`bcm:bitcoin.${k}: unknown key; use implementation, image, keepChainData, lndBirthday, electrum, miningAddress, prune or peers`);
        }
    }
    if (settings.prune !== undefined && settings.implementation === "btcd") {
        problems.push(`bcm:bitcoin.prune: btcd cannot prune (it has no pruning: it keeps every block); remove prune, or run "implementation":"bitcoind"`);
    } else if (settings.prune !== undefined && settings.electrum) {
        problems.push(`bcm:bitcoin.prune: the Electrum server indexes every block, which a pruned node no longer has; remove prune, or set "electrum": false`);
    }
    if (settings.implementation === "bitcoind" && !settings.image) {
        problems.push(`bcm:bitcoin.image: bitcoind needs its image: build it from a verified Bitcoin Core release with images/bitcoind/build.sh and set the tag it prints`);
    }
    return settings;
}
