// GetECDHSessionKey's multiplication step (trezor-firmware
// core/src/apps/misc/get_ecdh_session_key.py) once the SLIP-0017 node is derived.
import { secp256k1 } from "@noble/curves/secp256k1";
import { p256 } from "@noble/curves/p256";
import { x25519 } from "@noble/curves/ed25519";
import { concatBytes } from "./bytes";
import { EcdhCurve } from "./curves";
import { DeviceError } from "./device";

/**
 * `04 || X || Y` of privateKey * peer for the Weierstrass curves (the peer key may be
 * compressed or not); for curve25519 the peer key is `40 || u` and the result
 * `04 || X25519(privateKey, u)`, the firmware's own (odd, but stable) framing.
 */
export function ecdhSessionKey(curve: EcdhCurve, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  if (curve === "curve25519") {
    if (peerPublicKey[0] !== 0x40 || peerPublicKey.length !== 33) {
      throw new DeviceError("Curve25519 public key should start with 0x40");
    }
    return concatBytes(Uint8Array.of(0x04), x25519.getSharedSecret(privateKey, peerPublicKey.subarray(1)));
  }
  const lib = curve === "secp256k1" ? secp256k1 : p256;
  try {
    return lib.getSharedSecret(privateKey, peerPublicKey, false);
  } catch (error) {
    throw new DeviceError(`Invalid peer public key: ${(error as Error).message}`);
  }
}
