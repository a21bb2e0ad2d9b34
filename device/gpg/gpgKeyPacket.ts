// Version 4 public-key packet bodies for the device's keys, as libagent's
// gpg.protocol.PublicKey builds them: ECDSA (19) on NIST P-256, legacy EdDSA (22) on
// Ed25519, ECDH (18) on P-256 or Curve25519 with KDF parameters SHA-256 / AES-128.
import { p256 } from "@noble/curves/p256";
import { sha1 } from "@noble/hashes/legacy";
import { concatBytes, uint16BE, uint32BE } from "../bytes";
import { mpi } from "./openpgpPackets";

export type KeyPacketCurve = "nist256p1" | "ed25519" | "curve25519";

export const PUBLIC_KEY_ALGORITHM = { ecdh: 18, ecdsa: 19, eddsa: 22 } as const;

const CURVES: Record<KeyPacketCurve, { oid: number[]; algorithm: number }> = {
  nist256p1: { oid: [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07], algorithm: PUBLIC_KEY_ALGORITHM.ecdsa },
  ed25519: { oid: [0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01], algorithm: PUBLIC_KEY_ALGORITHM.eddsa },
  curve25519: { oid: [0x2b, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01], algorithm: PUBLIC_KEY_ALGORITHM.ecdh },
};

/** KDF parameters of RFC 6637: reserved 01, SHA-256 (8), AES-128 (7). */
export const ECDH_KDF_PARAMETERS = Uint8Array.of(0x03, 0x01, 0x08, 0x07);

export interface KeyPacket {
  readonly curve: KeyPacketCurve;
  readonly created: number;
  /** The point as OpenPGP writes it: 04 || X || Y, or 40 || native key. */
  readonly point: Uint8Array;
  readonly ecdh: boolean;
}

/** From the 33-byte public key the firmware returns. */
export function keyPacketFromDevice(curve: KeyPacketCurve, devicePublicKey: Uint8Array, created: number, ecdh: boolean): KeyPacket {
  const point =
    curve === "nist256p1"
      ? p256.ProjectivePoint.fromHex(devicePublicKey).toRawBytes(false)
      : concatBytes(Uint8Array.of(0x40), devicePublicKey.subarray(1));
  return { curve, created, point, ecdh };
}

export function keyAlgorithm(key: KeyPacket): number {
  return key.ecdh ? PUBLIC_KEY_ALGORITHM.ecdh : CURVES[key.curve].algorithm;
}

export function curveOid(curve: KeyPacketCurve): Uint8Array {
  return Uint8Array.from(CURVES[curve].oid);
}

export function keyPacketBody(key: KeyPacket): Uint8Array {
  const oid = curveOid(key.curve);
  return concatBytes(
    Uint8Array.of(4),
    uint32BE(key.created),
    Uint8Array.of(keyAlgorithm(key)),
    Uint8Array.of(oid.length),
    oid,
    mpi(key.point),
    key.ecdh ? ECDH_KDF_PARAMETERS : new Uint8Array(0),
  );
}

/** What v4 signatures and fingerprints hash for a key: 0x99 || length16 || body. */
export function keyHashPrefix(key: KeyPacket): Uint8Array {
  const body = keyPacketBody(key);
  return concatBytes(Uint8Array.of(0x99), uint16BE(body.length), body);
}

export function fingerprint(key: KeyPacket): Uint8Array {
  return sha1(keyHashPrefix(key));
}

export function keyId(key: KeyPacket): Uint8Array {
  return fingerprint(key).subarray(12);
}

export function hexUpper(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex").toUpperCase();
}
