// The firmware messages TrezorDevice sends, in @trezor/protobuf's payload convention
// (snake_case fields, bytes as hex strings), and their replies mapped back to the
// Device interface's types. Pure functions, so the encoding is unit-tested without a device.
import { bytesToHex, hexToBytes } from "../bytes";
import { CurveName } from "../curves";
import { CipherKeyValueRequest, EcdhRequest, EcdhSessionKey, Identity, SignedIdentity, SignIdentityRequest } from "../device";

export type Payload = Record<string, unknown>;

/** protobuf IdentityType; empty parts are left out, as the firmware treats them alike. */
export function identityTypePayload(identity: Identity): Payload {
  const payload: Payload = {};
  for (const key of ["proto", "user", "host", "port", "path"] as const) {
    if (identity[key]) payload[key] = identity[key];
  }
  if (identity.index !== undefined) payload.index = identity.index;
  return payload;
}

export function signIdentityPayload(request: SignIdentityRequest): Payload {
  return {
    identity: identityTypePayload(request.identity),
    challenge_hidden: bytesToHex(request.challengeHidden),
    challenge_visual: request.challengeVisual,
    ecdsa_curve_name: request.curve,
  };
}

export function getEcdhSessionKeyPayload(request: EcdhRequest): Payload {
  return {
    identity: identityTypePayload(request.identity),
    peer_public_key: bytesToHex(request.peerPublicKey),
    ecdsa_curve_name: request.curve,
  };
}

/**
 * GetPublicKey with only a curve: no coin_name, which the firmware refuses together with
 * ecdsa_curve_name. (This is why it does not go through @trezor/connect's getPublicKey:
 * that always sends a coin and derives a non-hardened child to check the xpub, which
 * ed25519/curve25519 cannot do and which is secp256k1 arithmetic.)
 */
export function getPublicKeyPayload(path: readonly number[], curve: CurveName): Payload {
  return { address_n: [...path], ecdsa_curve_name: curve, show_display: false };
}

/** @trezor/connect `cipherKeyValue` parameters (camelCase, hex strings). */
export function cipherKeyValueParams(request: CipherKeyValueRequest): Payload {
  return {
    path: [...request.path],
    key: request.key,
    value: bytesToHex(request.value),
    encrypt: request.encrypt,
    askOnEncrypt: request.askOnEncrypt,
    askOnDecrypt: request.askOnDecrypt,
    ...(request.iv ? { iv: bytesToHex(request.iv) } : {}),
  };
}

export function parseSignedIdentity(message: Payload): SignedIdentity {
  const result: SignedIdentity = {
    publicKey: hexToBytes(String(message.public_key)),
    signature: hexToBytes(String(message.signature)),
  };
  // proto2 optional string: absent or empty when the curve is not secp256k1.
  if (typeof message.address === "string" && message.address !== "") result.address = message.address;
  return result;
}

export function parseEcdhSessionKey(message: Payload): EcdhSessionKey {
  return {
    publicKey: hexToBytes(String(message.public_key ?? "")),
    sessionKey: hexToBytes(String(message.session_key)),
  };
}

export function parsePublicKey(message: Payload): Uint8Array {
  const node = message.node as Payload | undefined;
  return hexToBytes(String(node?.public_key));
}
