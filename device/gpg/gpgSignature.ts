// Version 4 signatures (RFC 4880 5.2.3) made on the device, as libagent's
// gpg.protocol.make_signature: SHA-256, the hashed-area trailer, the digest's first
// two bytes, then r and s as MPIs.
import { sha256 } from "@noble/hashes/sha2";
import { concatBytes, uint32BE } from "../bytes";
import { Device } from "../device";
import { mpi, subpackets } from "./openpgpPackets";
import { GpgIdentity } from "./gpgIdentity";

export const HASH_SHA256 = 8;

/** Signs a SHA-256 digest; returns the two signature integers (r, s or R, S) as bytes. */
export type DigestSigner = (digest: Uint8Array) => Promise<[Uint8Array, Uint8Array]>;

/**
 * SignIdentity with proto "gpg" and the digest as hidden challenge: the firmware signs it
 * as an ECDSA digest on nist256p1 and as the EdDSA message on ed25519, which is exactly
 * OpenPGP's definition of both.
 */
export function deviceDigestSigner(device: Device, identity: GpgIdentity): DigestSigner {
  return async (digest) => {
    const { signature } = await device.signIdentity({
      identity: identity.identity,
      challengeHidden: digest,
      challengeVisual: "",
      curve: identity.curve,
    });
    return [signature.subarray(1, 33), signature.subarray(33, 65)];
  };
}

export interface SignatureParameters {
  signatureType: number;
  publicKeyAlgorithm: number;
  hashed: readonly Uint8Array[];
  unhashed: readonly Uint8Array[];
}

/** The body of a signature packet over `dataToSign` (already in its RFC 4880 5.2.4 form). */
export async function makeSignature(signer: DigestSigner, dataToSign: Uint8Array, p: SignatureParameters): Promise<Uint8Array> {
  const header = Uint8Array.of(4, p.signatureType, p.publicKeyAlgorithm, HASH_SHA256);
  const hashed = subpackets(p.hashed);
  const trailer = concatBytes(Uint8Array.of(0x04, 0xff), uint32BE(header.length + hashed.length));
  const digest = sha256(concatBytes(dataToSign, header, hashed, trailer));
  const [r, s] = await signer(digest);
  return concatBytes(header, hashed, subpackets(p.unhashed), digest.subarray(0, 2), mpi(r), mpi(s));
}
