// TrezorDevice's side of the wire against BCM's emulated firmware (legacy Model One message
// flow, MnemonicDevice as the cryptography), in process: every message crosses the 64-byte
// packet encoding both ways, but no socket and no @trezor/connect (the *.it tests add them).
import fc from "fast-check";
import { bytesToHex, hexToBytes } from "../bytes";
import { DeviceError } from "../device";
import { MnemonicDevice } from "../mnemonicDevice";
import { SigningCurve } from "../curves";
import { TEST_MNEMONIC } from "../testing/testMnemonic";
import { EmulatorOptions } from "../testing/trezorEmulator/firmware";
import { packetWire } from "../testing/trezorEmulator/packetWire";
import { TrezorDevice } from "./trezorDevice";
import { TrezorInteraction } from "./trezorWire";

const firmware = new MnemonicDevice(TEST_MNEMONIC);

function emulated(options: Partial<EmulatorOptions> = {}, interaction: Partial<TrezorInteraction> = {}) {
  const { wire, sent } = packetWire({ mnemonic: TEST_MNEMONIC, ...options });
  const buttons: unknown[] = [];
  const device = new TrezorDevice(
    {
      features: {},
      cipherKeyValue: () => Promise.reject(new Error("CipherKeyValue goes through @trezor/connect (tested in the emulator tests)")),
      wire: async () => wire,
      close: async () => undefined,
    },
    { passphrase: { kind: "empty" }, onButtonRequest: (code) => buttons.push(code), ...interaction },
    "udp",
  );
  return { device, sent, buttons };
}

const vector = {
  identity: { proto: "https", user: "satoshi", host: "bitcoin.org", path: "/login", index: 0 },
  challengeHidden: hexToBytes("cd8552569d6e4509266ef137584d1e62c7579b5b8ed69bbafa4b864c6521e7c2"),
  challengeVisual: "2015-03-23 17:39:22",
  curve: "secp256k1" as const,
};

test("SignIdentity: the press, the passphrase, then the firmware's vector (test_msg_signidentity.py)", async () => {
  const { device, sent, buttons } = emulated({ passphraseProtection: true });
  const signed = await device.signIdentity(vector);
  expect(sent.map((m) => m.type)).toEqual(["SignIdentity", "ButtonAck", "PassphraseAck"]);
  expect(sent[2].message.passphrase).toBe("");
  expect(buttons).toEqual(["ButtonRequest_ProtectCall"]);
  expect(signed.address).toBe("17F17smBTX9VTZA9Mj8LM5QGYNZnmziCjL");
  expect(bytesToHex(signed.signature)).toBe(
    "20f2d1a42d08c3a362be49275c3ffeeaa415fc040971985548b9f910812237bb41770bf2c8d488428799fbb7e52c11f1a3404011375e4080e077e0e42ab7a5ba02",
  );
});

test("the passphrase is asked once per session, and a host passphrase opens another wallet", async () => {
  const { device, sent } = emulated({ passphraseProtection: true }, { passphrase: { kind: "host", passphrase: "TREZOR" } });
  const key = await device.getPublicKey([0x8000000d], "nist256p1");
  await device.getPublicKey([0x8000000d], "nist256p1");
  expect(sent.filter((m) => m.type === "PassphraseAck")).toEqual([{ type: "PassphraseAck", message: expect.objectContaining({ passphrase: "TREZOR" }) }]);
  expect(key).toEqual(await new MnemonicDevice(TEST_MNEMONIC, { passphrase: "TREZOR" }).getPublicKey([0x8000000d], "nist256p1"));
  expect(key).not.toEqual(await firmware.getPublicKey([0x8000000d], "nist256p1"));
});

test("a passphrase typed on the device is requested as on_device", async () => {
  const { device, sent } = emulated({ passphraseProtection: true }, { passphrase: { kind: "on-device" } });
  await device.getPublicKey([0x8000000d], "nist256p1");
  expect(sent.find((m) => m.type === "PassphraseAck")?.message.on_device).toBe(true);
});

test("TrezorDevice and MnemonicDevice agree on every operation over the wire", async () => {
  const { device } = emulated();
  const identity = fc.record({ proto: fc.constantFrom("ssh", "gpg", "https"), host: fc.stringMatching(/^[a-z]{1,12}$/), index: fc.nat(100) });
  await fc.assert(
    fc.asyncProperty(identity, fc.constantFrom<SigningCurve>("nist256p1", "ed25519", "secp256k1"), fc.uint8Array({ minLength: 32, maxLength: 32 }), async (id, curve, hidden) => {
      const request = { identity: id, challengeHidden: hidden, challengeVisual: "", curve };
      expect(await device.signIdentity(request)).toEqual(await firmware.signIdentity(request));
      const peer = Uint8Array.of(0x40, ...hidden);
      const ecdh = { identity: id, peerPublicKey: peer, curve: "curve25519" as const };
      expect(await device.getEcdhSessionKey(ecdh)).toEqual(await firmware.getEcdhSessionKey(ecdh));
      expect(await device.getPublicKey([0x8000000d, 0x80000000 + id.index], curve)).toEqual(await firmware.getPublicKey([0x8000000d, 0x80000000 + id.index], curve));
    }),
    { numRuns: 10 },
  );
});

test("a press refused on the device is one line with Failure_ActionCancelled and what to do", async () => {
  const { device } = emulated({ buttons: "reject" });
  const error = await device.signIdentity(vector).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DeviceError);
  expect((error as DeviceError).code).toBe("Failure_ActionCancelled");
  expect((error as DeviceError).message).toBe("the request was cancelled on the Trezor: run the command again and confirm on the device (Failure_ActionCancelled)");
});

test("a locked device: the PIN matrix, a wrong PIN, the right one unlocks for the next requests", async () => {
  const wrong = emulated({ pin: "4321" }, { pinMatrix: async () => "1234" });
  const error = (await wrong.device.getPublicKey([0x8000000d], "ed25519").catch((e: unknown) => e)) as DeviceError;
  expect([error.code, error.message]).toEqual(["Failure_PinInvalid", "wrong PIN: run the command again and enter the PIN by the positions the Trezor shows (Failure_PinInvalid)"]);
  expect(wrong.sent.map((m) => m.type)).toEqual(["GetPublicKey", "PinMatrixAck"]);

  const right = emulated({ pin: "4321" }, { pinMatrix: async () => "4321" });
  await right.device.getPublicKey([0x8000000d], "ed25519");
  await right.device.getPublicKey([0x8000000d], "nist256p1");
  expect(right.sent.map((m) => m.type)).toEqual(["GetPublicKey", "PinMatrixAck", "GetPublicKey"]);
});

test("a PIN nobody can type cancels the request on the device and says why", async () => {
  const { device, sent } = emulated({ pin: "1" }, { pinMatrix: () => Promise.reject(new DeviceError("no terminal")) });
  await expect(device.getPublicKey([0x8000000d], "ed25519")).rejects.toThrow("no terminal");
  expect(sent.map((m) => m.type)).toEqual(["GetPublicKey", "Cancel"]);
  // The device is free again: the next request is answered (with the PIN matrix again).
  await expect(device.getPublicKey([0x8000000d], "ed25519")).rejects.toThrow("no terminal");
  expect(sent.map((m) => m.type)).toEqual(["GetPublicKey", "Cancel", "GetPublicKey", "Cancel"]);
  const locked = emulated({ pin: "1" }, { pinMatrix: undefined });
  await expect(locked.device.getPublicKey([0x8000000d], "ed25519")).rejects.toThrow(/the Trezor is locked/);
});

test("a refusal by the firmware names its reason (ECDH with a malformed curve25519 peer key)", async () => {
  const { device } = emulated();
  const error = (await device.getEcdhSessionKey({ identity: { proto: "gpg", host: "x" }, peerPublicKey: new Uint8Array(33), curve: "curve25519" }).catch((e: unknown) => e)) as DeviceError;
  expect(error.code).toBe("Failure_DataError");
  expect(error.message).toBe("the Trezor refused the request: Curve25519 public key should start with 0x40 (Failure_DataError)");
});

test("operations run one at a time, in order, even when started together", async () => {
  const { device, sent } = emulated();
  await Promise.all([device.getPublicKey([0x8000000d], "ed25519"), device.signIdentity(vector), device.getPublicKey([0x8000000e], "ed25519")]);
  expect(sent.map((m) => m.type)).toEqual(["GetPublicKey", "SignIdentity", "ButtonAck", "GetPublicKey"]);
});
