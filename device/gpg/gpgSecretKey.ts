// Exporting the software device's GPG secret keys, so that a throw-away GnuPG home can
// stand in for the device in interop tests and development. A Trezor never reveals a
// private key, so this takes a MnemonicDevice, not a Device.
import { bigIntToBytes, bytesToBigInt, concatBytes, uint16BE } from "../bytes";
import { MnemonicDevice } from "../mnemonicDevice";
import { identityPath, SLIP13_PURPOSE, SLIP17_PURPOSE } from "../slip13Identity";
import { armor, mpi } from "./openpgpPackets";
import { GPG_ECDH_CURVE, GpgIdentity } from "./gpgIdentity";
import { buildTransferableKey, GpgKeyOptions, gpgKeyPackets } from "./gpgPublicKey";
import { deviceDigestSigner } from "./gpgSignature";

/** RFC 4880 5.5.3 unencrypted secret material: S2K usage 0, the MPI, a 16-bit byte sum. */
function plainSecret(secretMpi: Uint8Array): Uint8Array {
  const sum = secretMpi.reduce((acc, b) => (acc + b) & 0xffff, 0);
  return concatBytes(Uint8Array.of(0), secretMpi, uint16BE(sum));
}

/**
 * OpenPGP stores a Curve25519 secret as a big-endian MPI: the X25519 scalar, clamped,
 * with its bytes reversed (as GnuPG and OpenPGP.js write it).
 */
function curve25519SecretMpi(native: Uint8Array): Uint8Array {
  const clamped = Uint8Array.from(native);
  clamped[0] &= 248;
  clamped[31] &= 127;
  clamped[31] |= 64;
  return mpi(bytesToBigInt(clamped.reverse()));
}

export async function exportGpgSecretKey(device: MnemonicDevice, identity: GpgIdentity, options: GpgKeyOptions = {}): Promise<string> {
  const keys = await gpgKeyPackets(device, identity, options.created ?? 0);
  const primarySecret = device.privateKeyAt(identityPath(identity.identity, SLIP13_PURPOSE), identity.curve);
  const ecdhCurve = GPG_ECDH_CURVE[identity.curve];
  const subkeySecret = device.privateKeyAt(identityPath(identity.identity, SLIP17_PURPOSE), ecdhCurve);
  const secret = {
    primary: plainSecret(mpi(bigIntToBytes(bytesToBigInt(primarySecret), 32))),
    subkey: plainSecret(ecdhCurve === "curve25519" ? curve25519SecretMpi(subkeySecret) : mpi(subkeySecret)),
  };
  const bytes = await buildTransferableKey(identity, keys, deviceDigestSigner(device, identity), secret);
  return armor(bytes, "PRIVATE KEY BLOCK");
}
