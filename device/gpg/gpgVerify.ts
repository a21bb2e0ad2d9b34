// Verifying detached signatures with OpenPGP.js against given public keys.
import * as openpgp from "openpgp";

export interface VerifyResult {
  valid: boolean;
  /** Upper-case hex key id of the signer, when the signature names one. */
  signerKeyId?: string;
  reason?: string;
}

export async function verifyDetached(armoredPublicKeys: string[], data: Uint8Array, armoredSignature: string): Promise<VerifyResult> {
  const verificationKeys = await Promise.all(armoredPublicKeys.map((armoredKey) => openpgp.readKey({ armoredKey })));
  const signature = await openpgp.readSignature({ armoredSignature });
  const message = await openpgp.createMessage({ binary: data });
  const { signatures } = await openpgp.verify({ message, signature, verificationKeys, format: "binary" });
  if (signatures.length === 0) return { valid: false, reason: "no signature found" };
  const [first] = signatures;
  const signerKeyId = first.keyID.toHex().toUpperCase();
  try {
    await first.verified;
    return { valid: true, signerKeyId };
  } catch (error) {
    return { valid: false, signerKeyId, reason: (error as Error).message };
  }
}
