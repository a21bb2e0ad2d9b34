// What a Lightning node is, computed from its aezeed entropy alone, the way lnd derives it:
// lnd hands the 16 bytes to its wallet as the BIP32 seed, its node key is m/1017'/coin'/6'/0/0
// (coin 0 on mainnet, 1 elsewhere), and the first address `newaddress p2wkh` hands out is
// m/84'/0'/0'/0/0 on every chain (lnd's BIP84 scope uses coin 0), in the chain's bech32 prefix.
import { ripemd160 } from "@noble/hashes/legacy";
import { sha256 } from "@noble/hashes/sha2";
import { bech32 } from "@scure/base";
import { HDKey } from "@scure/bip32";
import { Chain } from "./chains";

/** The bech32 human-readable part of a chain's addresses. */
export function bech32Prefix(chain: Chain): string {
    return chain === "mainnet" ? "bc" : chain === "regtest" ? "bcrt" : "tb";
}

/** The node's identity pubkey (hex, compressed) and its wallet's first P2WPKH address. */
export function lndIdentity(entropy: Uint8Array, chain: Chain): { nodePubkey: string; firstAddress: string } {
    if (entropy.length !== 16) throw new Error(`aezeed entropy: ${entropy.length} bytes; lnd's is 16`);
    const master = HDKey.fromMasterSeed(entropy);
    const coin = chain === "mainnet" ? 0 : 1;
    const node = master.derive(`m/1017'/${coin}'/6'/0/0`);
    const first = master.derive("m/84'/0'/0'/0/0");
    const program = ripemd160(sha256(first.publicKey!));
    return {
        nodePubkey: Buffer.from(node.publicKey!).toString("hex"),
        firstAddress: bech32.encode(bech32Prefix(chain), [0, ...bech32.toWords(program)]),
    };
}
