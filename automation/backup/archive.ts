// A tier's archive: its tar encrypted to the controller's OpenPGP certificate (openpgp, public
// key only), and decrypted again by the device's key for it. The manifest is signed by the
// same key, so only the device can make a backup that `verify` and `restore` accept.
import * as openpgp from "openpgp";
import type { Device } from "../../device/device";
import { decryptWithDevice } from "../../device/gpg/gpgDecrypt";
import { encryptTo } from "../../device/gpg/gpgEncrypt";
import type { GpgKey } from "../../device/gpg/gpgPublicKey";
import { signDetached } from "../../device/gpg/gpgSign";
import { verifyDetached } from "../../device/gpg/gpgVerify";

/** The certificate's fingerprint, upper-case hex: what a manifest names as its recipient. */
export async function certificateFingerprint(armored: string): Promise<string> {
    return (await openpgp.readKey({ armoredKey: armored })).getFingerprint().toUpperCase();
}

/** Encrypts a tar to the controller's certificate. */
export function encryptArchive(certificate: string, plain: Uint8Array): Promise<Uint8Array> {
    return encryptTo([certificate], plain);
}

/** Decrypts an archive with the device; a one-line reason when it cannot (not ours, changed after it was written). */
export async function decryptArchive(device: Device, key: GpgKey, encrypted: Uint8Array, file: string): Promise<Uint8Array> {
    try {
        return await decryptWithDevice(device, key, encrypted);
    } catch (err) {
        throw new Error(`${file}: cannot be decrypted by this device's controller key: ${(err as Error).message.split("\n")[0]}`);
    }
}

/** The manifest's detached signature, made by the device. */
export function signManifest(device: Device, key: GpgKey, manifest: string): Promise<string> {
    return signDetached(device, key, manifest);
}

/** Whether the manifest's signature is the controller key's; the reason when not. */
export async function manifestSignatureProblem(certificate: string, manifest: string, signature: string): Promise<string | undefined> {
    try {
        const r = await verifyDetached([certificate], Buffer.from(manifest, "utf8"), signature);
        return r.valid ? undefined : `the manifest's signature does not verify against the controller's certificate (${r.reason ?? "invalid"})`;
    } catch (err) {
        return `the manifest's signature cannot be read: ${(err as Error).message.split("\n")[0]}`;
    }
}
