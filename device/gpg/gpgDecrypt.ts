// Decrypting OpenPGP messages addressed to the identity's ECDH subkey: the session key
// is recovered with the device's ECDH, the data decrypted (and its MDC checked) by
// OpenPGP.js.
import * as openpgp from "openpgp";
import { Device } from "../device";
import { GpgKey } from "./gpgPublicKey";
import { hexUpper, keyId } from "./gpgKeyPacket";
import { deviceSessionKey } from "./ecdhSessionKey";

/** A PKESK with an all-zero key id names no recipient (RFC 4880 5.1): it may be ours. */
const ANONYMOUS_RECIPIENT = "0000000000000000";

/** The fields OpenPGP.js parses out of a v3 PKESK packet (not all in its typings). */
interface ParsedPkesk {
  publicKeyID: openpgp.KeyID;
  publicKeyAlgorithm: number;
  encrypted: { V: Uint8Array; C: { data: Uint8Array } };
}

export async function decryptWithDevice(device: Device, key: GpgKey, ciphertext: Uint8Array | string): Promise<Uint8Array> {
  const message =
    typeof ciphertext === "string"
      ? await openpgp.readMessage({ armoredMessage: ciphertext })
      : await openpgp.readMessage({ binaryMessage: ciphertext });
  const ours = hexUpper(keyId(key.subkey));
  const pkesk = (message.packets.filterByTag(openpgp.enums.packet.publicKeyEncryptedSessionKey) as unknown as ParsedPkesk[]).find(
    (p) => [ours, ANONYMOUS_RECIPIENT].includes(p.publicKeyID.toHex().toUpperCase()),
  );
  if (!pkesk) throw new Error(`message is not encrypted to ${key.identity.userId} (subkey ${ours})`);
  if (pkesk.publicKeyAlgorithm !== openpgp.enums.publicKey.ecdh) throw new Error("not an ECDH session key");
  const session = await deviceSessionKey(device, key.identity, key.subkey, pkesk.encrypted.V, pkesk.encrypted.C.data);
  const algorithm = openpgp.enums.read(openpgp.enums.symmetric, session.algorithm) as openpgp.enums.symmetricNames;
  const { data } = await openpgp.decrypt({ message, sessionKeys: { data: session.key, algorithm }, format: "binary" });
  return data;
}
