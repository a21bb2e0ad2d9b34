// Round trips through OpenPGP.js: what we sign it verifies, what it encrypts to our
// keys we decrypt with the device's ECDH.
import fc from "fast-check";
import { utf8 } from "../bytes";
import { MnemonicDevice } from "../mnemonicDevice";
import { TEST_MNEMONIC } from "../testing/testMnemonic";
import { gpgIdentity, GpgCurve } from "./gpgIdentity";
import { GpgKey, gpgPublicKey } from "./gpgPublicKey";
import { signDetached } from "./gpgSign";
import { verifyDetached } from "./gpgVerify";
import { encryptTo, encryptToArmored } from "./gpgEncrypt";
import { decryptWithDevice } from "./gpgDecrypt";
import { unwrapSessionKey } from "./ecdhSessionKey";
import { hexUpper, keyId } from "./gpgKeyPacket";

const device = new MnemonicDevice(TEST_MNEMONIC);
const keys: Record<GpgCurve, GpgKey> = {} as Record<GpgCurve, GpgKey>;

beforeAll(async () => {
  for (const curve of ["nist256p1", "ed25519"] as const) {
    keys[curve] = await gpgPublicKey(device, gpgIdentity("BCM Test <test@bcm.example>", curve));
  }
});

describe.each(["nist256p1", "ed25519"] as const)("%s", (curve) => {
  test("OpenPGP.js verifies our detached signature and rejects altered data", async () => {
    const data = utf8("the data center's manifest\n");
    const signature = await signDetached(device, keys[curve], data, { time: 1700000000 });
    expect(signature).toMatch(/^-----BEGIN PGP SIGNATURE-----\n/);
    const result = await verifyDetached([keys[curve].armored], data, signature);
    expect(result).toEqual({ valid: true, signerKeyId: hexUpper(keyId(keys[curve].primary)) });
    const altered = await verifyDetached([keys[curve].armored], utf8("the data center's manifest!\n"), signature);
    expect(altered.valid).toBe(false);
  });

  test("signatures are deterministic for the same data and time", async () => {
    const a = await signDetached(device, keys[curve], "x", { time: 1 });
    const b = await signDetached(device, keys[curve], "x", { time: 1 });
    expect(a).toBe(b);
  });

  test("what OpenPGP.js encrypts to our key, the device decrypts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (data) => {
        const encrypted = await encryptTo([keys[curve].armored], data);
        expect(await decryptWithDevice(device, keys[curve], encrypted)).toEqual(data);
      }),
      { numRuns: 5 },
    );
    const armored = await encryptToArmored([keys[curve].armored], utf8("armored too"));
    expect(Buffer.from(await decryptWithDevice(device, keys[curve], armored)).toString()).toBe("armored too");
  });
});

test("a message for another key is refused by name", async () => {
  const encrypted = await encryptTo([keys.ed25519.armored], utf8("not for nist"));
  await expect(decryptWithDevice(device, keys.nist256p1, encrypted)).rejects.toThrow(/not encrypted to BCM Test/);
});

test("a wrong shared secret does not unwrap (AES key wrap integrity check)", () => {
  expect(() => unwrapSessionKey(keys.nist256p1.subkey, new Uint8Array(32), new Uint8Array(40))).toThrow();
});
