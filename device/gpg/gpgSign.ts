// Detached OpenPGP signatures made on the device with the identity's primary key (it
// carries the sign flag, as in trezor-agent's keys). GnuPG, OpenPGP.js and git verify them.
import { concatBytes, utf8 } from "../bytes";
import { Device } from "../device";
import { armor, packet, subpacket, subpacketTime } from "./openpgpPackets";
import { GpgKey } from "./gpgPublicKey";
import { fingerprint, keyAlgorithm, keyId } from "./gpgKeyPacket";
import { deviceDigestSigner, makeSignature } from "./gpgSignature";

export const SIGNATURE_TYPE = { binary: 0x00, text: 0x01 } as const;

export interface SignOptions {
  /** Signature creation time (unix seconds); default now. */
  time?: number;
}

/** A binary-document signature packet over `data`. */
export async function signatureOver(device: Device, key: GpgKey, data: Uint8Array, options: SignOptions = {}): Promise<Uint8Array> {
  const time = options.time ?? Math.floor(Date.now() / 1000);
  const body = await makeSignature(deviceDigestSigner(device, key.identity), data, {
    signatureType: SIGNATURE_TYPE.binary,
    publicKeyAlgorithm: keyAlgorithm(key.primary),
    hashed: [
      subpacketTime(time),
      subpacket(33, concatBytes(Uint8Array.of(4), fingerprint(key.primary))), // issuer fingerprint
    ],
    unhashed: [subpacket(16, keyId(key.primary))], // issuer key id, for older readers
  });
  return packet(2, body);
}

/** ASCII-armored detached signature ("-----BEGIN PGP SIGNATURE-----"). */
export async function signDetached(device: Device, key: GpgKey, data: Uint8Array | string, options: SignOptions = {}): Promise<string> {
  const bytes = typeof data === "string" ? utf8(data) : data;
  return armor(await signatureOver(device, key, bytes, options), "SIGNATURE");
}
