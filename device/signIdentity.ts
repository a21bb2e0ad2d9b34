// SignIdentity's signing step, as trezor-firmware core/src/apps/misc/sign_identity.py
// does it once the SLIP-0013 node is derived: what gets signed depends on the proto
// (gpg, signify, ssh, anything else), and so does the signature's first byte.
import { sha256 } from "@noble/hashes/sha2";
import { secp256k1 } from "@noble/curves/secp256k1";
import { p256 } from "@noble/curves/p256";
import { ed25519 } from "@noble/curves/ed25519";
import { concatBytes, utf8 } from "./bytes";
import { SigningCurve } from "./curves";
import { DeviceError } from "./device";
import { bitcoinMessageDigest } from "./bitcoin";

/** The bytes handed to the curve's sign function (a digest for ECDSA, a message for ed25519). */
export function dataToSign(proto: string | undefined, curve: SigningCurve, hidden: Uint8Array, visual: string): Uint8Array {
  switch (proto) {
    case "gpg":
      return hidden;
    case "signify":
      if (curve !== "ed25519") throw new DeviceError("Unsupported curve");
      return hidden;
    case "ssh":
      return curve === "ed25519" ? hidden : sha256(hidden);
    default:
      // Any other proto (including none): Bitcoin message signing of
      // SHA256(hidden) || SHA256(visual), as SLIP-0013 specifies.
      return bitcoinMessageDigest(concatBytes(sha256(hidden), sha256(utf8(visual))));
  }
}

/** The 65-byte signature SignIdentity returns for this proto and curve. */
export function signChallenge(
  privateKey: Uint8Array,
  proto: string | undefined,
  curve: SigningCurve,
  hidden: Uint8Array,
  visual: string,
): Uint8Array {
  const data = dataToSign(proto, curve, hidden, visual);
  if (curve === "ed25519") {
    return concatBytes(Uint8Array.of(0), ed25519.sign(data, privateKey));
  }
  if (data.length !== 32) throw new DeviceError("Invalid length of digest");
  // trezor-crypto's ecdsa_sign_digest: RFC 6979 nonces and low-S on every curve.
  // noble's p256 defaults to lowS=false, so it is set explicitly; the digest is
  // signed as given (noble v1 does not pre-hash unless asked to).
  const lib = curve === "secp256k1" ? secp256k1 : p256;
  const sig = lib.sign(data, privateKey, { lowS: true, prehash: false });
  const rs = sig.toCompactRawBytes();
  if (proto === "gpg" || proto === "ssh") return concatBytes(Uint8Array.of(0), rs);
  // Bitcoin compact signature header for a compressed key: 27 + 4 + recid.
  return concatBytes(Uint8Array.of(31 + sig.recovery), rs);
}
