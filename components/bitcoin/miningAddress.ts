// A regtest node mines to an address it is told (btcd will not `generate` without one). The
// key comes from a seed kept in the stack's state, so the coins stay spendable by the owner.
import { secp256k1 } from "@noble/curves/secp256k1";
import { ripemd160 } from "@noble/hashes/legacy";
import { sha256 } from "@noble/hashes/sha2";
import { bech32 } from "@scure/base";

/** The P2WPKH address (bech32, version 0) of the key `seed` on a chain whose human-readable part is `hrp` ("bcrt" on regtest). */
export function p2wpkhAddress(seed: Uint8Array, hrp = "bcrt"): string {
    if (seed.length !== 32) throw new Error(`mining key seed: ${seed.length} bytes; it must be 32`);
    if (!secp256k1.utils.isValidSecretKey(seed)) throw new Error("mining key seed: not a valid secp256k1 secret key; draw another seed");
    const publicKey = secp256k1.getPublicKey(seed, true);
    const program = ripemd160(sha256(publicKey));
    return bech32.encode(hrp, [0, ...bech32.toWords(program)]);
}

/**
 * Why `value` cannot be a regtest mining address, or undefined when it can: a bech32
 * segwit version 0 address (P2WPKH, 20 bytes, or P2WSH, 32 bytes) with regtest's "bcrt".
 */
export function regtestAddressProblem(value: unknown): string | undefined {
    const fix = "give a regtest P2WPKH or P2WSH address, bcrt1q…";
    if (typeof value !== "string") return `${JSON.stringify(value)} is not an address; ${fix}`;
    let decoded: { prefix: string; words: number[] };
    try {
        decoded = bech32.decode(value as `${string}1${string}`);
    } catch {
        return `"${value}" is not a bech32 address; ${fix}`;
    }
    const program = decoded.words.length > 0 ? bech32.fromWordsUnsafe(decoded.words.slice(1)) : undefined;
    if (decoded.prefix !== "bcrt") return `"${value}" is not a regtest address (its prefix is "${decoded.prefix}"); ${fix}`;
    if (decoded.words[0] !== 0 || !program || (program.length !== 20 && program.length !== 32)) return `"${value}" is not a segwit version 0 address; ${fix}`;
    if (value !== value.toLowerCase()) return `"${value}": write it in lower case`;
    return undefined;
}
