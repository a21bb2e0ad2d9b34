import { ed25519, x25519 } from "@noble/curves/ed25519";
import { sha3_256 } from "@noble/hashes/sha3";
import { sha512 } from "@noble/hashes/sha2";

const base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

/** RFC 4648 base32, lower-case, without padding: the spelling of onion addresses. */
export function base32(bytes: Uint8Array): string {
    let bits = 0;
    let value = 0;
    let out = "";
    for (const byte of bytes) {
        value = (value << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            out += base32Alphabet[(value >>> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
    return out;
}

/**
 * The v3 onion address of a service's ed25519 identity key (rend-spec-v3 §6):
 * base32(pubkey ‖ checksum ‖ version) + ".onion", checksum = SHA3-256(".onion checksum" ‖
 * pubkey ‖ version)[0..2], version 3.
 */
export function onionAddress(publicKey: Uint8Array): string {
    if (publicKey.length !== 32) throw new Error(`an onion service key is 32 bytes, got ${publicKey.length}`);
    const version = Uint8Array.of(3);
    const checksum = sha3_256(Uint8Array.from([...Buffer.from(".onion checksum"), ...publicKey, ...version])).slice(0, 2);
    return `${base32(Uint8Array.from([...publicKey, ...checksum, ...version]))}.onion`;
}

const publicHeader = "== ed25519v1-public: type0 ==\0\0\0";
const secretHeader = "== ed25519v1-secret: type0 ==\0\0\0";

/** Tor's `hs_ed25519_public_key` file: a 32-byte header, then the key. */
export function publicKeyFromTorFile(file: Uint8Array): Uint8Array {
    const header = Buffer.from(publicHeader);
    if (file.length !== 64 || !Buffer.from(file.subarray(0, 32)).equals(header)) {
        throw new Error("not a Tor hs_ed25519_public_key file (expected a 32-byte header and a 32-byte key)");
    }
    return file.subarray(32);
}

/** An onion service's identity, as the files Tor keeps in its `HiddenServiceDir`. */
export interface OnionServiceKey {
    /** `hs_ed25519_secret_key`: the 32-byte header, then the 64-byte expanded secret key. */
    secretKeyFile: Uint8Array;
    /** `hs_ed25519_public_key`: the 32-byte header, then the 32-byte public key. */
    publicKeyFile: Uint8Array;
    /** The service's v3 address, `<56 base32 characters>.onion`. */
    address: string;
}

/**
 * An onion service identity from a 32-byte ed25519 seed, in Tor's file formats: placing
 * `secretKeyFile` in a `HiddenServiceDir` as `hs_ed25519_secret_key` makes Tor publish the
 * service at `address`. Tor stores the expanded key (RFC 8032 §5.1.5): SHA-512(seed), its first
 * half clamped into the scalar, its second half the nonce prefix.
 */
export function onionServiceKey(seed: Uint8Array): OnionServiceKey {
    if (seed.length !== 32) throw new Error(`an onion service seed is 32 bytes, got ${seed.length}`);
    const expanded = sha512(seed);
    expanded[0] &= 248;
    expanded[31] &= 63;
    expanded[31] |= 64;
    const publicKey = ed25519.getPublicKey(seed);
    return {
        secretKeyFile: Uint8Array.from([...Buffer.from(secretHeader), ...expanded]),
        publicKeyFile: Uint8Array.from([...Buffer.from(publicHeader), ...publicKey]),
        address: onionAddress(publicKey),
    };
}

/** One client's v3 authorization key pair, in the two spellings Tor reads. */
export interface ClientAuthorization {
    /** The line for the service's `authorized_clients/<name>.auth`: `descriptor:x25519:<public>`. */
    serviceLine: string;
    /** The line for the client's `ClientOnionAuthDir/<name>.auth_private`: `<address>:descriptor:x25519:<private>`. */
    clientLine: string;
}

/**
 * A client authorization for an onion service (rend-spec-v3 client auth): an x25519 key
 * pair whose public half the service lists, and whose private half only the client holds.
 */
export function clientAuthorization(onion: string, privateKey: Uint8Array = x25519.utils.randomPrivateKey()): ClientAuthorization {
    const address = onion.replace(/\.onion$/, "");
    if (!/^[a-z2-7]{56}$/.test(address)) throw new Error(`"${onion}" is not a v3 onion address (56 base32 characters)`);
    const publicKey = x25519.getPublicKey(privateKey);
    const upper = (b: Uint8Array) => base32(b).toUpperCase();
    return {
        serviceLine: `descriptor:x25519:${upper(publicKey)}`,
        clientLine: `${address}:descriptor:x25519:${upper(privateKey)}`,
    };
}
