import { MnemonicDevice } from "../../device/mnemonicDevice";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";
import { gpgIdentity } from "../../device/gpg/gpgIdentity";
import { GpgKey, gpgPublicKey } from "../../device/gpg/gpgPublicKey";
import { certificateFingerprint, decryptArchive, encryptArchive, manifestSignatureProblem, signManifest } from "./archive";
import { archiveEntry, encryptedProblem, plainProblem } from "./manifest";

// The software device on the test mnemonic, as the controller's; another passphrase is another device.
const device = new MnemonicDevice(TEST_MNEMONIC);
const stranger = new MnemonicDevice(TEST_MNEMONIC, { passphrase: "another passphrase" });
let key: GpgKey;
let strangerKey: GpgKey;

beforeAll(async () => {
    key = await gpgPublicKey(device, gpgIdentity("BCM controller <controller@bcm.invalid>"));
    strangerKey = await gpgPublicKey(stranger, gpgIdentity("BCM controller <controller@bcm.invalid>"));
});

describe("a tier's archive: encrypted to the controller's certificate, decrypted by the device", () => {
    const tar = Buffer.from("a tar's bytes\0".repeat(100));

    it("round-trips through the certificate and the device, and its sums match its entry", async () => {
        const encrypted = await encryptArchive(key.armored, tar);
        expect(Buffer.from(encrypted).includes(Buffer.from("a tar's bytes"))).toBe(false);
        const entry = archiveEntry("bitcoin", ["lnd"], tar, encrypted);
        expect(encryptedProblem(entry, encrypted)).toBeUndefined();
        const plain = await decryptArchive(device, key, encrypted, entry.file);
        expect(Buffer.from(plain)).toEqual(tar);
        expect(plainProblem(entry, plain)).toBeUndefined();
        expect(await certificateFingerprint(key.armored)).toMatch(/^[0-9A-F]{40}$/);
    });

    it("a changed byte is caught by the manifest's sum, and by OpenPGP's integrity check when the sum is changed too", async () => {
        const encrypted = Buffer.from(await encryptArchive(key.armored, tar));
        const entry = archiveEntry("bitcoin", ["lnd"], tar, encrypted);
        const tampered = Buffer.from(encrypted);
        tampered[tampered.length - 30] ^= 0x01;
        expect(encryptedProblem(entry, tampered)).toMatch(/bitcoin\.tar\.pgp: SHA-256 .* is not the manifest's/);
        await expect(decryptArchive(device, key, tampered, entry.file)).rejects.toThrow(/bitcoin\.tar\.pgp: cannot be decrypted/);
    });

    it("an archive swapped for another one encrypted to the same certificate decrypts, but not to the manifest's tar", async () => {
        const other = await encryptArchive(key.armored, Buffer.from("someone else's tar"));
        const entry = archiveEntry("bitcoin", ["lnd"], tar, await encryptArchive(key.armored, tar));
        expect(encryptedProblem(entry, other)).toBeDefined();
        expect(plainProblem(entry, await decryptArchive(device, key, other, entry.file))).toMatch(/decrypted tar's SHA-256/);
    });

    it("another device cannot decrypt it", async () => {
        const encrypted = await encryptArchive(key.armored, tar);
        await expect(decryptArchive(stranger, strangerKey, encrypted, "gateway.tar.pgp")).rejects.toThrow(/gateway\.tar\.pgp: cannot be decrypted by this device's controller key: message is not encrypted to/);
    });

    it("the manifest's signature is the device's: a changed manifest or another key's signature is refused", async () => {
        const manifest = '{"format":"bcm-backup/1"}\n';
        const signature = await signManifest(device, key, manifest);
        expect(await manifestSignatureProblem(key.armored, manifest, signature)).toBeUndefined();
        expect(await manifestSignatureProblem(key.armored, manifest.replace("1", "2"), signature)).toMatch(/does not verify against the controller's certificate/);
        const forged = await signManifest(stranger, strangerKey, manifest);
        expect(await manifestSignatureProblem(key.armored, manifest, forged)).toMatch(/does not verify/);
        expect(await manifestSignatureProblem(key.armored, manifest, "garbage")).toMatch(/cannot be read/);
    });
});
