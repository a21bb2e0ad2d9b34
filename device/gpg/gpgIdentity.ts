// GPG identities as trezor-agent's GPG mode makes them (libagent/gpg/client.py
// create_identity): SLIP-0013 identity "gpg://<user id>" (the whole user id is the
// host part; no user part), index 0. The primary key is on the SLIP-0013 path of the
// signing curve, the encryption subkey on the SLIP-0017 path of its ECDH curve.
import { Identity } from "../device";
import { EcdhCurve } from "../curves";

export type GpgCurve = "nist256p1" | "ed25519";
export const GPG_CURVES: readonly GpgCurve[] = ["nist256p1", "ed25519"];

/** libagent formats.get_ecdh_curve_name. */
export const GPG_ECDH_CURVE: Record<GpgCurve, EcdhCurve> = { nist256p1: "nist256p1", ed25519: "curve25519" };

export interface GpgIdentity {
  readonly userId: string;
  readonly curve: GpgCurve;
  readonly identity: Identity;
}

/**
 * trezor-agent transliterates the user id to ASCII (unidecode) for the device identity
 * while keeping UTF-8 in the key; that table is not reproduced, so non-ASCII user ids
 * are refused instead of yielding a key trezor-agent would not. User ids of 256 bytes
 * or more are refused too: trezor-agent hashes the user-id packet's old-format header
 * byte into its self-signature, which is only RFC 4880's 0xB4 below that size.
 */
export function gpgIdentity(userId: string, curve: GpgCurve = "nist256p1"): GpgIdentity {
  if (!/^[\x20-\x7e]+$/.test(userId)) throw new Error(`GPG user id must be printable ASCII: ${JSON.stringify(userId)}`);
  if (userId.length >= 256) throw new Error("GPG user id must be shorter than 256 bytes");
  return { userId, curve, identity: { proto: "gpg", host: userId } };
}
