// `bcm:bitcoin`: the bitcoin tier's settings in the stack config, read in one pass with the
// rest of the data center's (components/datacenter/dataCenterSpec.ts), so a bad file names
// every wrong key before anything is registered.
import { Chain, Implementation } from "./chains";

export interface BitcoinSettings {
    /** The full node: "btcd" (default; built from the Go module proxy) or "bitcoind" (an image built from a verified release). */
    implementation: Implementation;
    /** bitcoind: the local image images/bitcoind/build.sh made, `bcm/bitcoind:<version>-<hash>`. */
    image?: string;
    /** Keep the chain volume when the stack is destroyed (default: on every chain but regtest, whose chain is a throw-away and which btcd wipes at each start anyway; a real chain takes days to download again). */
    keepChainData: boolean;
}

/** Reads `bcm:bitcoin`: {"implementation":"btcd"|"bitcoind","image":…,"keepChainData":true}; pushes one line per wrong key. */
export function readBitcoinSettings(raw: unknown, chain: Chain, problems: string[]): BitcoinSettings {
    const settings: BitcoinSettings = { implementation: "btcd", keepChainData: chain !== "regtest" };
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
        } else {
            problems.push(`bcm:bitcoin.${k}: unknown key; use implementation, image or keepChainData`);
        }
    }
    if (settings.implementation === "bitcoind" && !settings.image) {
        problems.push(`bcm:bitcoin.image: bitcoind needs its image: build it from a verified Bitcoin Core release with images/bitcoind/build.sh and set the tag it prints`);
    }
    return settings;
}
