// Encrypting to OpenPGP public keys with OpenPGP.js (no device needed: public keys only).
// Our keys advertise only SEIPDv1 (MDC), so that is what OpenPGP.js produces: GnuPG 2.2
// and pass read it.
import * as openpgp from "openpgp";

export async function encryptTo(armoredPublicKeys: string[], data: Uint8Array): Promise<Uint8Array> {
  if (armoredPublicKeys.length === 0) throw new Error("no recipients");
  const encryptionKeys = await Promise.all(armoredPublicKeys.map((armoredKey) => openpgp.readKey({ armoredKey })));
  const message = await openpgp.createMessage({ binary: data });
  return openpgp.encrypt({ message, encryptionKeys, format: "binary" });
}

export async function encryptToArmored(armoredPublicKeys: string[], data: Uint8Array): Promise<string> {
  const encryptionKeys = await Promise.all(armoredPublicKeys.map((armoredKey) => openpgp.readKey({ armoredKey })));
  const message = await openpgp.createMessage({ binary: data });
  return openpgp.encrypt({ message, encryptionKeys, format: "armored" });
}
