// The four curves the Trezor firmware derives keys on, by their firmware names, and
// the library operations each needs. All arithmetic is @noble/curves'.
import { secp256k1 } from "@noble/curves/secp256k1";
import { p256 } from "@noble/curves/p256";
import { ed25519, x25519 } from "@noble/curves/ed25519";
import { concatBytes } from "./bytes";

export type SigningCurve = "secp256k1" | "nist256p1" | "ed25519";
export type EcdhCurve = "secp256k1" | "nist256p1" | "curve25519";
export type CurveName = SigningCurve | EcdhCurve;

export const CURVE_NAMES: readonly CurveName[] = ["secp256k1", "nist256p1", "ed25519", "curve25519"];
export const SIGNING_CURVES: readonly SigningCurve[] = ["secp256k1", "nist256p1", "ed25519"];
export const ECDH_CURVES: readonly EcdhCurve[] = ["secp256k1", "nist256p1", "curve25519"];

/** secp256k1 and nist256p1: private keys are scalars below the group order. */
export interface WeierstrassCurve {
  readonly kind: "weierstrass";
  readonly name: "secp256k1" | "nist256p1";
  /** SLIP-0010 HMAC key for the master node. */
  readonly seedKey: string;
  readonly order: bigint;
  readonly lib: typeof secp256k1 | typeof p256;
}

/** ed25519 and curve25519: any 32 bytes are a private key; derivation is hardened only. */
export interface TwistedEdwardsCurve {
  readonly kind: "edwards";
  readonly name: "ed25519" | "curve25519";
  readonly seedKey: string;
}

export type Curve = WeierstrassCurve | TwistedEdwardsCurve;

const CURVES: Record<CurveName, Curve> = {
  secp256k1: { kind: "weierstrass", name: "secp256k1", seedKey: "Bitcoin seed", order: secp256k1.CURVE.n, lib: secp256k1 },
  nist256p1: { kind: "weierstrass", name: "nist256p1", seedKey: "Nist256p1 seed", order: p256.CURVE.n, lib: p256 },
  ed25519: { kind: "edwards", name: "ed25519", seedKey: "ed25519 seed" },
  curve25519: { kind: "edwards", name: "curve25519", seedKey: "curve25519 seed" },
};

export function curveByName(name: CurveName): Curve {
  return CURVES[name];
}

export function isCurveName(name: string): name is CurveName {
  return (CURVE_NAMES as readonly string[]).includes(name);
}

/**
 * The 33-byte public key as the firmware reports it: SEC1 compressed for the
 * Weierstrass curves, `00 || key` for ed25519 and curve25519 (SLIP-0010's convention).
 */
export function publicKeyOf(curve: CurveName, privateKey: Uint8Array): Uint8Array {
  switch (curve) {
    case "secp256k1":
      return secp256k1.getPublicKey(privateKey, true);
    case "nist256p1":
      return p256.getPublicKey(privateKey, true);
    case "ed25519":
      return concatBytes(Uint8Array.of(0), ed25519.getPublicKey(privateKey));
    case "curve25519":
      return concatBytes(Uint8Array.of(0), x25519.getPublicKey(privateKey));
  }
}
