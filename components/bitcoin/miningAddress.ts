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
