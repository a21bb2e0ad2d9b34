// SLIP-0011 CipherKeyValue once the secp256k1 node is derived (trezor-firmware
// core/src/apps/misc/cipher_key_value.py). AES comes from Node's OpenSSL.
import { createCipheriv, createDecipheriv } from "node:crypto";
import { hmac } from "@noble/hashes/hmac";
import { sha512 } from "@noble/hashes/sha2";
import { concatBytes, utf8 } from "./bytes";
import { CipherKeyValueRequest, DeviceError } from "./device";

export function cipherKeyValueWithKey(privateKey: Uint8Array, request: CipherKeyValueRequest): Uint8Array {
  if (request.value.length % 16 !== 0) throw new DeviceError("Value length must be a multiple of 16");
  const message = concatBytes(
    utf8(request.key),
    utf8(request.askOnEncrypt ? "E1" : "E0"),
    utf8(request.askOnDecrypt ? "D1" : "D0"),
  );
  const secret = hmac(sha512, privateKey, message);
  const key = secret.subarray(0, 32);
  // An IV of any length other than 16 is ignored, not rejected: firmware behaviour.
  const iv = request.iv && request.iv.length === 16 ? request.iv : secret.subarray(32, 48);
  const cipher = request.encrypt ? createCipheriv("aes-256-cbc", key, iv) : createDecipheriv("aes-256-cbc", key, iv);
  cipher.setAutoPadding(false); // SLIP-0011 has no padding: callers pad to 16 themselves.
  return Uint8Array.from(Buffer.concat([cipher.update(request.value), cipher.final()]));
}
