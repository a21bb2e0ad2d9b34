// The transferable GPG key of an identity, byte for byte what `trezor-agent`'s GPG mode
// (libagent 0.16.2, gpg.encode.create_primary + create_subkey) exports for the same
// device, user id, curve and creation time: a certify-and-sign primary key, the user id
// with its self-signature, and an ECDH encryption subkey with its binding signature.
// Every signature is deterministic (RFC 6979 / EdDSA), so the export is reproducible.
import { concatBytes, uint32BE, utf8 } from "../bytes";
import { Device } from "../device";
import { identityPath, SLIP13_PURPOSE, SLIP17_PURPOSE } from "../slip13Identity";
import { armor, packet, subpacket, subpacketTime } from "./openpgpPackets";
import { GPG_ECDH_CURVE, GpgIdentity } from "./gpgIdentity";
import { fingerprint, keyAlgorithm, keyHashPrefix, keyId, KeyPacket, keyPacketBody, keyPacketFromDevice } from "./gpgKeyPacket";
import { deviceDigestSigner, DigestSigner, makeSignature } from "./gpgSignature";

/** trezor-agent marks its keys with this "policy URL" subpacket (libagent CUSTOM_SUBPACKET). */
export const TREZOR_GPG_MARKER = subpacket(26, utf8("TREZOR-GPG"));

export const PACKET_TAG = { signature: 2, secretKey: 5, publicKey: 6, secretSubkey: 7, userId: 13, publicSubkey: 14 } as const;

export interface GpgKey {
  readonly identity: GpgIdentity;
  readonly primary: KeyPacket;
  readonly subkey: KeyPacket;
  /** The transferable public key (binary). */
  readonly bytes: Uint8Array;
  /** ASCII armor exactly as trezor-agent prints it. */
  readonly armored: string;
}

export interface GpgKeyOptions {
  /** Key creation time (unix seconds); part of the fingerprint. trezor-agent's default is 0. */
  created?: number;
}

/** The two public keys, read from the device (GetPublicKey on the SLIP-0013/0017 paths). */
export async function gpgKeyPackets(device: Device, identity: GpgIdentity, created = 0): Promise<{ primary: KeyPacket; subkey: KeyPacket }> {
  if (!Number.isInteger(created) || created < 0 || created > 0xffffffff) throw new Error(`creation time out of range: ${created}`);
  const ecdhCurve = GPG_ECDH_CURVE[identity.curve];
  const primaryKey = await device.getPublicKey(identityPath(identity.identity, SLIP13_PURPOSE), identity.curve);
  const subkeyKey = await device.getPublicKey(identityPath(identity.identity, SLIP17_PURPOSE), ecdhCurve);
  return {
    primary: keyPacketFromDevice(identity.curve, primaryKey, created, false),
    subkey: keyPacketFromDevice(ecdhCurve === "curve25519" ? "curve25519" : "nist256p1", subkeyKey, created, true),
  };
}

/** Secret-key material to append to the key packets (for exports to a throw-away GnuPG home). */
export interface SecretMaterial {
  primary: Uint8Array;
  subkey: Uint8Array;
}

export async function buildTransferableKey(
  identity: GpgIdentity,
  keys: { primary: KeyPacket; subkey: KeyPacket },
  signer: DigestSigner,
  secret?: SecretMaterial,
): Promise<Uint8Array> {
  const { primary, subkey } = keys;
  const userId = utf8(identity.userId);
  const userIdPacket = packet(PACKET_TAG.userId, userId);
  const certification = await makeSignature(
    signer,
    concatBytes(keyHashPrefix(primary), userIdPacket.subarray(0, 1), uint32BE(userId.length), userId),
    {
      signatureType: 0x13, // positive certification of a user id
      publicKeyAlgorithm: keyAlgorithm(primary),
      hashed: [
        subpacketTime(primary.created),
        subpacket(0x0b, [9]), // preferred symmetric: AES-256
        subpacket(0x1b, [1 | 2]), // key flags: certify, sign
        subpacket(0x15, [8, 9, 10]), // preferred hashes: SHA-256, SHA-384, SHA-512
        subpacket(0x16, [2, 3, 1]), // preferred compression: ZLIB, BZip2, ZIP
        subpacket(0x17, [0x80]), // key server preferences: no-modify
        subpacket(0x1e, [0x01]), // features: modification detection (SEIPDv1)
      ],
      unhashed: [subpacket(16, keyId(primary)), TREZOR_GPG_MARKER],
    },
  );
  const binding = await makeSignature(signer, concatBytes(keyHashPrefix(primary), keyHashPrefix(subkey)), {
    signatureType: 0x18, // subkey binding
    publicKeyAlgorithm: keyAlgorithm(primary),
    hashed: [subpacketTime(subkey.created), subpacket(0x1b, [4 | 8])], // encrypt communications and storage
    unhashed: [subpacket(16, keyId(primary)), TREZOR_GPG_MARKER],
  });
  return concatBytes(
    packet(secret ? PACKET_TAG.secretKey : PACKET_TAG.publicKey, concatBytes(keyPacketBody(primary), secret?.primary ?? new Uint8Array(0))),
    userIdPacket,
    packet(PACKET_TAG.signature, certification),
    packet(secret ? PACKET_TAG.secretSubkey : PACKET_TAG.publicSubkey, concatBytes(keyPacketBody(subkey), secret?.subkey ?? new Uint8Array(0))),
    packet(PACKET_TAG.signature, binding),
  );
}

export async function gpgPublicKey(device: Device, identity: GpgIdentity, options: GpgKeyOptions = {}): Promise<GpgKey> {
  const keys = await gpgKeyPackets(device, identity, options.created ?? 0);
  const bytes = await buildTransferableKey(identity, keys, deviceDigestSigner(device, identity));
  return { identity, ...keys, bytes, armored: armor(bytes, "PUBLIC KEY BLOCK") };
}

export { fingerprint };
