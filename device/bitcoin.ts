// The two pieces of Bitcoin the firmware's SignIdentity uses for non-ssh/gpg protos:
// the signed-message digest and the P2PKH address of the signing key.
import { sha256 } from "@noble/hashes/sha2";
import { ripemd160 } from "@noble/hashes/legacy";
import { concatBytes, utf8 } from "./bytes";

const MESSAGE_MAGIC = utf8("\x18Bitcoin Signed Message:\n");

/** Bitcoin's CompactSize length prefix. */
export function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >> 8);
  throw new Error("message too long for this helper");
}

/** SHA256d("\x18Bitcoin Signed Message:\n" || CompactSize(len) || message). */
export function bitcoinMessageDigest(message: Uint8Array): Uint8Array {
  return sha256(sha256(concatBytes(MESSAGE_MAGIC, compactSize(message.length), message)));
}

const BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

export function base58Encode(bytes: Uint8Array): string {
  let n = bytes.length === 0 ? 0n : BigInt("0x" + Buffer.from(bytes).toString("hex"));
  let out = "";
  while (n > 0n) {
    out = BASE58_ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = "1" + out;
  }
  return out;
}

export function base58CheckEncode(payload: Uint8Array): string {
  const checksum = sha256(sha256(payload)).subarray(0, 4);
  return base58Encode(concatBytes(payload, checksum));
}

/** P2PKH address of a compressed secp256k1 public key: version 0x00 mainnet (SignIdentity's), 0x6f testnet. */
export function p2pkhAddress(compressedPublicKey: Uint8Array, version = 0x00): string {
  return base58CheckEncode(concatBytes(Uint8Array.of(version), ripemd160(sha256(compressedPublicKey))));
}
