// SLIP-0010 key derivation as the Trezor firmware does it (trezor-crypto bip32.c):
// BIP-32 generalised to nist256p1, ed25519 and curve25519, with SLIP-0010's retry rule
// where BIP-32 would give up on an invalid key. This is protocol on top of
// @noble/hashes' HMAC and @noble/curves' arithmetic, not a primitive of its own.
import { hmac } from "@noble/hashes/hmac";
import { sha512 } from "@noble/hashes/sha2";
import { bigIntToBytes, bytesToBigInt, concatBytes, uint32BE, utf8 } from "./bytes";
import { isHardened } from "./bip32Path";
import { Curve, CurveName, curveByName, publicKeyOf } from "./curves";

export interface Slip10Node {
  readonly curve: CurveName;
  readonly privateKey: Uint8Array;
  readonly chainCode: Uint8Array;
}

export function masterNode(seed: Uint8Array, curveName: CurveName): Slip10Node {
  const curve = curveByName(curveName);
  let I = hmac(sha512, utf8(curve.seedKey), seed);
  // SLIP-0010: an invalid master key (0 or >= n) is retried with S := I.
  while (curve.kind === "weierstrass" && !isValidScalar(curve, I.subarray(0, 32))) {
    I = hmac(sha512, utf8(curve.seedKey), I);
  }
  return { curve: curveName, privateKey: I.slice(0, 32), chainCode: I.slice(32) };
}

export function childNode(parent: Slip10Node, index: number): Slip10Node {
  const curve = curveByName(parent.curve);
  const ser32 = uint32BE(index);
  let data: Uint8Array;
  if (isHardened(index)) {
    data = concatBytes(Uint8Array.of(0), parent.privateKey, ser32);
  } else {
    if (curve.kind === "edwards") {
      throw new Error(`${curve.name} supports hardened derivation only (index ${index})`);
    }
    data = concatBytes(publicKeyOf(parent.curve, parent.privateKey), ser32);
  }
  let I = hmac(sha512, parent.chainCode, data);
  if (curve.kind === "edwards") {
    return { curve: parent.curve, privateKey: I.slice(0, 32), chainCode: I.slice(32) };
  }
  const parentKey = bytesToBigInt(parent.privateKey);
  for (;;) {
    const IL = bytesToBigInt(I.subarray(0, 32));
    const IR = I.slice(32);
    const child = (IL + parentKey) % curve.order;
    if (IL < curve.order && child !== 0n) {
      return { curve: parent.curve, privateKey: bigIntToBytes(child, 32), chainCode: IR };
    }
    // SLIP-0010: instead of failing, rehash with 0x01 || I_R || ser32(i).
    I = hmac(sha512, parent.chainCode, concatBytes(Uint8Array.of(1), IR, ser32));
  }
}

export function deriveNode(seed: Uint8Array, curve: CurveName, path: readonly number[]): Slip10Node {
  return path.reduce(childNode, masterNode(seed, curve));
}

export function nodePublicKey(node: Slip10Node): Uint8Array {
  return publicKeyOf(node.curve, node.privateKey);
}

function isValidScalar(curve: Curve & { kind: "weierstrass" }, bytes: Uint8Array): boolean {
  const k = bytesToBigInt(bytes);
  return k > 0n && k < curve.order;
}
