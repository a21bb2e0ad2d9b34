// RFC 6637 ECDH key unwrapping for an OpenPGP PKESK packet addressed to our ECDH subkey:
// the shared point comes from the device (GetECDHSessionKey), the rest is the RFC's KDF
// (SHA-256 over 00000001 || Z || Param) and AES key unwrap (RFC 3394, Node's OpenSSL).
import { createDecipheriv } from "node:crypto";
import { sha256 } from "@noble/hashes/sha2";
import { concatBytes, utf8 } from "../bytes";
import { Device } from "../device";
import { curveOid, ECDH_KDF_PARAMETERS, fingerprint, KeyPacket, PUBLIC_KEY_ALGORITHM } from "./gpgKeyPacket";
import { GPG_ECDH_CURVE, GpgIdentity } from "./gpgIdentity";

/** RFC 6637 section 8 KDF "Param" for a v4 recipient key. */
export function ecdhKdfParam(subkey: KeyPacket): Uint8Array {
  const oid = curveOid(subkey.curve);
  return concatBytes(
    Uint8Array.of(oid.length),
    oid,
    Uint8Array.of(PUBLIC_KEY_ALGORITHM.ecdh),
    ECDH_KDF_PARAMETERS,
    utf8("Anonymous Sender    "),
    fingerprint(subkey),
  );
}

export interface SessionKey {
  algorithm: number;
  key: Uint8Array;
}

/**
 * Z from the firmware's session key: after the 04 byte comes either X || Y (P-256, Z is
 * X) or the 32-byte X25519 output (Curve25519, Z is all of it); bytes 1..33 either way.
 */
export function sharedSecretFromDevice(deviceSessionKey: Uint8Array): Uint8Array {
  return deviceSessionKey.subarray(1, 33);
}

export function unwrapSessionKey(subkey: KeyPacket, sharedSecret: Uint8Array, wrapped: Uint8Array): SessionKey {
  const kek = sha256(concatBytes(Uint8Array.of(0, 0, 0, 1), sharedSecret, ecdhKdfParam(subkey))).subarray(0, 16);
  const decipher = createDecipheriv("id-aes128-wrap", kek, Buffer.from("A6A6A6A6A6A6A6A6", "hex"));
  const padded = Uint8Array.from(Buffer.concat([decipher.update(wrapped), decipher.final()]));
  const pad = padded[padded.length - 1];
  if (pad < 1 || pad > 8 || !padded.subarray(padded.length - pad).every((b) => b === pad)) {
    throw new Error("bad session key padding");
  }
  const m = padded.subarray(0, padded.length - pad);
  const key = m.subarray(1, m.length - 2);
  const checksum = key.reduce((acc, b) => (acc + b) & 0xffff, 0);
  if (checksum !== ((m[m.length - 2] << 8) | m[m.length - 1])) throw new Error("bad session key checksum");
  return { algorithm: m[0], key: Uint8Array.from(key) };
}

export async function deviceSessionKey(
  device: Device,
  identity: GpgIdentity,
  subkey: KeyPacket,
  ephemeralPoint: Uint8Array,
  wrapped: Uint8Array,
): Promise<SessionKey> {
  const { sessionKey } = await device.getEcdhSessionKey({
    identity: identity.identity,
    peerPublicKey: ephemeralPoint,
    curve: GPG_ECDH_CURVE[identity.curve],
  });
  return unwrapSessionKey(subkey, sharedSecretFromDevice(sessionKey), wrapped);
}
