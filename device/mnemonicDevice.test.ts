// Vectors: trezor-firmware tests/device_tests/misc/test_msg_cipherkeyvalue.py,
// test_msg_signidentity.py and test_msg_getecdhsessionkey.py, all run with
// tests/common.py MNEMONIC12 and no passphrase.
import fc from "fast-check";
import { secp256k1 } from "@noble/curves/secp256k1";
import { p256 } from "@noble/curves/p256";
import { ed25519 } from "@noble/curves/ed25519";
import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, hexToBytes, utf8 } from "./bytes";
import { DeviceError, Identity } from "./device";
import { MAINNET_WARNING, MnemonicDevice } from "./mnemonicDevice";
import { SigningCurve } from "./curves";
import { dataToSign } from "./signIdentity";

const MNEMONIC12 = "alcohol woman abuse must during monitor noble actual mixed trade anger aisle";
const device = new MnemonicDevice(MNEMONIC12);

describe("CipherKeyValue (test_msg_cipherkeyvalue.py)", () => {
  const message = utf8("testing message!");
  const cases: Array<[string, number[], string, string, boolean, boolean, string]> = [
    ["E1D1", [0, 1, 2], "test", "testing message!", true, true, "676faf8f13272af601776bc31bc14e8f"],
    ["E1D0", [0, 1, 2], "test", "testing message!", true, false, "5aa0fbcb9d7fa669880745479d80c622"],
    ["E0D1", [0, 1, 2], "test", "testing message!", false, true, "958d4f63269b61044aaedc900c8d6208"],
    ["E0D0", [0, 1, 2], "test", "testing message!", false, false, "e0cf0eb0425947000eb546cc3994bc6c"],
    ["different key", [0, 1, 2], "test2", "testing message!", true, true, "de247a6aa6be77a134bb3f3f925f13af"],
    ["different message", [0, 1, 2], "test", "testing message! it is different", true, true, "676faf8f13272af601776bc31bc14e8f3ae1c88536bf18f1b44f1e4c2c4a613d"],
    ["different path", [0, 1, 3], "test", "testing message!", true, true, "b4811a9d492f5355a5186ddbfccaae7b"],
  ];
  test.each(cases)("encrypt: %s", async (_name, path, key, value, askOnEncrypt, askOnDecrypt, expected) => {
    const out = await device.cipherKeyValue({ path, key, value: utf8(value), encrypt: true, askOnEncrypt, askOnDecrypt });
    expect(bytesToHex(out)).toBe(expected);
  });
  test.each(cases)("decrypt: %s", async (_name, path, key, value, askOnEncrypt, askOnDecrypt, ciphertext) => {
    const out = await device.cipherKeyValue({ path, key, value: hexToBytes(ciphertext), encrypt: false, askOnEncrypt, askOnDecrypt });
    expect(Buffer.from(out).toString("utf8")).toBe(value);
  });

  test("a value that is not whole AES blocks is refused (test_encrypt_badlen / test_decrypt_badlen)", async () => {
    for (const encrypt of [true, false]) {
      await expect(
        device.cipherKeyValue({ path: [0, 1, 2], key: "test", value: utf8("testing"), encrypt, askOnEncrypt: true, askOnDecrypt: true }),
      ).rejects.toThrow(DeviceError);
    }
  });

  test("an explicit 16-byte IV replaces the derived one; other lengths are ignored", async () => {
    const base = { path: [0, 1, 2], key: "test", value: message, encrypt: true, askOnEncrypt: true, askOnDecrypt: true };
    const derived = await device.cipherKeyValue(base);
    expect(await device.cipherKeyValue({ ...base, iv: new Uint8Array(15) })).toEqual(derived);
    expect(await device.cipherKeyValue({ ...base, iv: new Uint8Array(16) })).not.toEqual(derived);
  });

  test("decrypt inverts encrypt for any whole-block value, flags and IV", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }).chain((blocks) => fc.uint8Array({ minLength: blocks * 16, maxLength: blocks * 16 })),
        fc.string(),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { nil: undefined }),
        async (value, key, askOnEncrypt, askOnDecrypt, iv) => {
          const request = { path: [1, 2], key, askOnEncrypt, askOnDecrypt, iv };
          const encrypted = await device.cipherKeyValue({ ...request, value, encrypt: true });
          expect(await device.cipherKeyValue({ ...request, value: encrypted, encrypt: false })).toEqual(value);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("SignIdentity (test_msg_signidentity.py)", () => {
  const hidden = hexToBytes("cd8552569d6e4509266ef137584d1e62c7579b5b8ed69bbafa4b864c6521e7c2");
  const visual = "2015-03-23 17:39:22";
  const cases: Array<[string, Identity, SigningCurve, string | undefined, string, string]> = [
    [
      "https://satoshi@bitcoin.org/login",
      { proto: "https", user: "satoshi", host: "bitcoin.org", port: "", path: "/login", index: 0 },
      "secp256k1",
      "17F17smBTX9VTZA9Mj8LM5QGYNZnmziCjL",
      "023a472219ad3327b07c18273717bb3a40b39b743756bf287fbd5fa9d263237f45",
      "20f2d1a42d08c3a362be49275c3ffeeaa415fc040971985548b9f910812237bb41770bf2c8d488428799fbb7e52c11f1a3404011375e4080e077e0e42ab7a5ba02",
    ],
    [
      "ftp://satoshi@bitcoin.org:2323/pub index 3",
      { proto: "ftp", user: "satoshi", host: "bitcoin.org", port: "2323", path: "/pub", index: 3 },
      "secp256k1",
      "1KAr6r5qF2kADL8bAaRQBjGKYEGxn9WrbS",
      "0266cf12d2ba381c5fd797da0d64f59c07a6f1b034ad276cca6bf2729e92b20d9c",
      "20bbd12dc657d534fc0f7e40186e22c447e0866a016f654f380adffa9a84e9faf412a1bb0ae908296537838cf91145e77da08681c63d07b7dca40728b9e6cb17cf",
    ],
    [
      "ssh://satoshi@bitcoin.org index 47 nist256p1",
      { proto: "ssh", user: "satoshi", host: "bitcoin.org", port: "", path: "", index: 47 },
      "nist256p1",
      undefined,
      "0373f21a3da3d0e96fc2189f81dd826658c3d76b2d55bd1da349bc6c3573b13ae4",
      "005122cebabb852cdd32103b602662afa88e54c0c0c1b38d7099c64dcd49efe908288114e66ed2d8c82f23a70b769a4db723173ec53840c08aafb840d3f09a18d3",
    ],
    [
      "ssh://satoshi@bitcoin.org index 47 ed25519",
      { proto: "ssh", user: "satoshi", host: "bitcoin.org", port: "", path: "", index: 47 },
      "ed25519",
      undefined,
      "000fac2a491e0f5b871dc48288a4cae551bac5cb0ed19df0764d6e721ec5fade18",
      "00f05e5085e666429de397c70a081932654369619c0bd2a6579ea6c1ef2af112ef79998d6c862a16b932d44b1ac1b83c8cbcd0fbda228274fde9e0d0ca6e9cb709",
    ],
    [
      "gpg://satoshi@bitcoin.org ed25519",
      { proto: "gpg", user: "satoshi", host: "bitcoin.org", port: "", path: "" },
      "ed25519",
      undefined,
      "00d18cdf4dbdbb50ef1fdba1ae0539451f3354a366d6a35313712ab82f16d4cd9e",
      "00f47f1a09a2875b971811ebbece19c3004c3ecbe84e65666dc8c36cc2fc002544af8a3f545375ebe53d73b41c700df2f9020256c31bb774a7eb03ed9819226407",
    ],
    [
      "signify://satoshi@bitcoin.org ed25519",
      { proto: "signify", user: "satoshi", host: "bitcoin.org", port: "", path: "" },
      "ed25519",
      undefined,
      "0038c0f42c0e47b233e837763098f029fd01009b74fdf4b0d60db114fb0f4f8b17",
      "009bb30a7a894e6cdd86e2b75803745e93bd5294b979f9e00ce9dc870642c7f6ad7322af4c54d401ea793494e8a5fdf2bf8b88c6e875094512bd67b94f9188000d",
    ],
  ];
  test.each(cases)("%s", async (_name, identity, curve, address, publicKey, signature) => {
    const signed = await device.signIdentity({ identity, challengeHidden: hidden, challengeVisual: visual, curve });
    expect(signed.address).toBe(address);
    expect(bytesToHex(signed.publicKey)).toBe(publicKey);
    expect(bytesToHex(signed.signature)).toBe(signature);
  });

  test("signify refuses ECDSA curves, like the firmware", async () => {
    await expect(
      device.signIdentity({ identity: { proto: "signify", host: "x" }, challengeHidden: hidden, challengeVisual: "", curve: "nist256p1" }),
    ).rejects.toThrow("Unsupported curve");
  });

  test("gpg with ECDSA needs a 32-byte digest as hidden challenge", async () => {
    await expect(
      device.signIdentity({ identity: { proto: "gpg", host: "x" }, challengeHidden: new Uint8Array(31), challengeVisual: "", curve: "nist256p1" }),
    ).rejects.toThrow(DeviceError);
  });

  const protos = fc.constantFrom("gpg", "ssh", "https", undefined);
  const curves = fc.constantFrom<SigningCurve>("secp256k1", "nist256p1", "ed25519");
  test("every signature verifies under the returned key and is low-S", async () => {
    await fc.assert(
      fc.asyncProperty(protos, curves, fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string(), fc.string({ minLength: 1 }), async (proto, curve, challengeHidden, challengeVisual, host) => {
        const identity = { proto, host };
        const { publicKey, signature } = await device.signIdentity({ identity, challengeHidden, challengeVisual, curve });
        const signed = dataToSign(proto, curve, challengeHidden, challengeVisual);
        if (curve === "ed25519") {
          expect(signature[0]).toBe(0);
          expect(ed25519.verify(signature.subarray(1), signed, publicKey.subarray(1))).toBe(true);
        } else {
          const lib = curve === "secp256k1" ? secp256k1 : p256;
          expect(lib.verify(signature.subarray(1), signed, publicKey, { lowS: true, prehash: false })).toBe(true);
          if (proto === "gpg" || proto === "ssh") {
            expect(signature[0]).toBe(0);
          } else {
            // Bitcoin compact header: 31 + recovery id, and the id must recover our key.
            const recovered = lib.Signature.fromCompact(signature.subarray(1))
              .addRecoveryBit(signature[0] - 31)
              .recoverPublicKey(signed)
              .toRawBytes(true);
            expect(bytesToHex(recovered)).toBe(bytesToHex(publicKey));
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  test("ssh with ECDSA signs SHA256 of the blob, so OpenSSH's ecdsa-sha2 verification holds", async () => {
    const blob = utf8("any ssh userauth blob");
    const { publicKey, signature } = await device.signIdentity({ identity: { proto: "ssh", host: "h" }, challengeHidden: blob, challengeVisual: "", curve: "nist256p1" });
    expect(p256.verify(signature.subarray(1), sha256(blob), publicKey, { prehash: false })).toBe(true);
  });
});

describe("GetECDHSessionKey (test_msg_getecdhsessionkey.py)", () => {
  const identity = { proto: "gpg", user: "", host: "Satoshi Nakamoto <satoshi@bitcoin.org>", port: "", path: "", index: 0 };
  test.each([
    [
      "secp256k1" as const,
      "0407f2c6e5becf3213c1d07df0cfbe8e39f70a8c643df7575e5c56859ec52c45ca950499c019719dae0fda04248d851e52cf9d66eeb211d89a77be40de22b6c89d",
      "0495e5d8c9e5cc09e7cf4908774f52decb381ce97f2fc9ba56e959c13f03f9f47a03dd151cbc908bc1db84d46e2c33e7bbb9daddc800f985244c924fd64adf6647",
      "02a3b34db999f994aa91accb7b73ecafe0ce8ce228e17a45525ccbf73feeb7c809",
    ],
    [
      "nist256p1" as const,
      "04811a6c2bd2a547d0dd84747297fec47719e7c3f9b0024f027c2b237be99aac39a9230acbd163d0cb1524a0f5ea4bfed6058cec6f18368f72a12aa0c4d083ff64",
      "046d1f5c48af2cf2c57076ac2c9d7808db2086f614cb7b8107119ff2c6270cd209749809efe0196f01a0cc633788cef1f4a2bd650c99570d06962f923fca6d8fdf",
      "03fda61bc6e6be9b1dd99f7f9d04836d1bf2a6ea2426095210c8ce65091b09000a",
    ],
    [
      "curve25519" as const,
      "40a8cf4b6a64c4314e80f15a8ea55812bd735fbb365936a48b2d78807b575fa17a",
      "04e24516669e0b7d3d72e5129fddd07b6644c30915f5c8b7f1f62324afb3624311",
      "009753a0738c55c7ba7c17dd4a9a975ce9b0d2b62e8a1ecef4a76767fad99d3c71",
    ],
  ])("%s", async (curve, peer, sessionKey, publicKey) => {
    const result = await device.getEcdhSessionKey({ identity, peerPublicKey: hexToBytes(peer), curve });
    expect(bytesToHex(result.sessionKey)).toBe(sessionKey);
    expect(bytesToHex(result.publicKey)).toBe(publicKey);
  });

  test("curve25519 peer keys must carry the 0x40 prefix", async () => {
    await expect(
      device.getEcdhSessionKey({ identity, peerPublicKey: hexToBytes("00a8cf4b6a64c4314e80f15a8ea55812bd735fbb365936a48b2d78807b575fa17a"), curve: "curve25519" }),
    ).rejects.toThrow("0x40");
  });
});

describe("MnemonicDevice itself", () => {
  test("rejects a mnemonic with a bad checksum", () => {
    expect(() => new MnemonicDevice("abandon ".repeat(12).trim())).toThrow(/mnemonic/);
  });

  test("a passphrase selects a different wallet", async () => {
    const hidden = new MnemonicDevice(MNEMONIC12, { passphrase: "TREZOR" });
    expect(await hidden.getPublicKey([0], "secp256k1")).not.toEqual(await device.getPublicKey([0], "secp256k1"));
  });

  test("warns loudly for mainnet and stays quiet otherwise", () => {
    const warnings: string[] = [];
    new MnemonicDevice(MNEMONIC12, { network: "testnet", warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    new MnemonicDevice(MNEMONIC12, { network: "mainnet", warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([MAINNET_WARNING]);
  });
});
