// The emulated firmware's message flow, message by message, against what the legacy
// firmware does (fsm_msg_common.h, fsm_msg_crypto.h, protect.c).
import fc from "fast-check";
import { HDKey } from "@scure/bip32";
import { mnemonicToSeedSync } from "@scure/bip39";
import { base58check } from "@scure/base";
import { sha256 } from "@noble/hashes/sha2";
import { ripemd160 } from "@noble/hashes/legacy";
import { TEST_MNEMONIC } from "../testMnemonic";
import { EmulatedFirmware, EmulatorOptions, FirmwareIo, pinFromPositions, WireMessage } from "./firmware";
import { messageToPackets, PacketReader } from "./packets";

/** Runs one request; `host` answers each interaction the firmware starts, in order. */
async function exchange(firmware: EmulatedFirmware, request: WireMessage, host: WireMessage[] = []): Promise<{ prompts: string[]; reply: WireMessage }> {
  const prompts: string[] = [];
  const io: FirmwareIo = {
    receive: async () => {
      const next = host.shift();
      if (!next) throw new Error(`the firmware waits for an answer to ${prompts[prompts.length - 1]}`);
      return next;
    },
    send: (m) => prompts.push(m.type),
  };
  return { prompts, reply: await firmware.answer(request, io) };
}

const emulator = (options: Partial<EmulatorOptions> = {}) => new EmulatedFirmware({ mnemonic: TEST_MNEMONIC, ...options });
const ack = (type: string, message: Record<string, unknown> = {}): WireMessage => ({ type, message });

test("Features: a Model One on 1.13.1 that says it is BCM's emulator", async () => {
  const { reply } = await exchange(emulator({ pin: "1" }), ack("GetFeatures"));
  expect(reply.type).toBe("Features");
  expect(reply.message).toMatchObject({ vendor: "trezor.io", major_version: 1, minor_version: 13, patch_version: 1, internal_model: "T1B1", label: "BCM emulator", pin_protection: true, unlocked: false, initialized: true });
  expect(Buffer.from(String(reply.message.revision), "hex").toString()).toBe("bcm trezor emulator");
});

test("Initialize resumes a known session (its passphrase stays) and starts a new one otherwise", async () => {
  const firmware = emulator({ passphraseProtection: true });
  const first = (await exchange(firmware, ack("Initialize"))).reply.message.session_id as string;
  const getKey = ack("GetPublicKey", { address_n: [0x8000000d], ecdsa_curve_name: "ed25519" });
  expect((await exchange(firmware, getKey, [ack("PassphraseAck", { passphrase: "a" })])).prompts).toEqual(["PassphraseRequest"]);
  expect((await exchange(firmware, ack("Initialize", { session_id: first }))).reply.message.session_id).toBe(first);
  expect((await exchange(firmware, getKey)).prompts).toEqual([]);
  expect((await exchange(firmware, ack("Initialize"))).reply.message.session_id).not.toBe(first);
  expect((await exchange(firmware, getKey, [ack("PassphraseAck", { passphrase: "a" })])).prompts).toEqual(["PassphraseRequest"]);
});

test("CipherKeyValue: the length check, then PIN, then the press, as fsm_msgCipherKeyValue orders them", async () => {
  const firmware = emulator({ pin: "12" });
  const request = (value: string) => ack("CipherKeyValue", { address_n: [0, 1, 2], key: "test", value, encrypt: true, ask_on_encrypt: true, ask_on_decrypt: true });
  const short = await exchange(firmware, request("00".repeat(15)));
  expect(short.reply).toEqual({ type: "Failure", message: { code: "Failure_DataError", message: "Value length must be a multiple of 16" } });
  const done = await exchange(firmware, request("74657374696e67206d65737361676521"), [ack("PinMatrixAck", { pin: "12" }), ack("ButtonAck")]);
  expect(done.prompts).toEqual(["PinMatrixRequest", "ButtonRequest"]);
  expect(done.reply).toEqual({ type: "CipheredKeyValue", message: { value: "676faf8f13272af601776bc31bc14e8f" } });
});

test("SignIdentity and GetECDHSessionKey ask for the press before the PIN", async () => {
  const sign = await exchange(emulator({ pin: "7" }), ack("SignIdentity", { identity: { proto: "ssh", host: "h" }, challenge_hidden: "00", challenge_visual: "", ecdsa_curve_name: "ed25519" }), [ack("ButtonAck"), ack("PinMatrixAck", { pin: "7" })]);
  expect([sign.prompts, sign.reply.type]).toEqual([["ButtonRequest", "PinMatrixRequest"], "SignedIdentity"]);
});

test.each([
  ["a press refused on the device", { buttons: "reject" as const }, [ack("ButtonAck")], "Failure_ActionCancelled", "Action cancelled by user"],
  ["Cancel during a button request", {}, [ack("Cancel")], "Failure_ActionCancelled", "Action cancelled by user"],
  ["a wrong PIN", { pin: "1234" }, [ack("ButtonAck"), ack("PinMatrixAck", { pin: "4321" })], "Failure_PinInvalid", "PIN invalid"],
  ["Cancel during PIN entry", { pin: "1234" }, [ack("ButtonAck"), ack("Cancel")], "Failure_PinCancelled", "PIN cancelled"],
  ["another request in the middle of one", {}, [ack("GetFeatures")], "Failure_UnexpectedMessage", "Unexpected message"],
])("%s is the firmware's Failure", async (_, options, host, code, message) => {
  const { reply } = await exchange(emulator(options), ack("GetECDHSessionKey", { identity: { proto: "gpg", host: "x" }, peer_public_key: "40" + "11".repeat(32), ecdsa_curve_name: "curve25519" }), host);
  expect(reply).toEqual({ type: "Failure", message: { code, message } });
});

test("an Initialize during a confirmation ends it with a fresh session's Features", async () => {
  const { reply } = await exchange(emulator(), ack("SignIdentity", { identity: { proto: "ssh", host: "h" }, challenge_hidden: "00", ecdsa_curve_name: "ed25519" }), [ack("Initialize")]);
  expect(reply.type).toBe("Features");
});

test("a PIN unlocks the device for good; an idle Cancel is answered, a message the emulator does not model is unexpected", async () => {
  const firmware = emulator({ pin: "5" });
  const key = ack("GetPublicKey", { address_n: [0x8000000d], ecdsa_curve_name: "nist256p1" });
  expect((await exchange(firmware, key, [ack("PinMatrixAck", { pin: "5" })])).prompts).toEqual(["PinMatrixRequest"]);
  expect((await exchange(firmware, ack("Initialize"))).reply.message.unlocked).toBe(true);
  expect((await exchange(firmware, key)).prompts).toEqual([]);
  expect((await exchange(firmware, ack("Cancel"))).reply.message.code).toBe("Failure_ActionCancelled");
  expect((await exchange(firmware, ack("Ping"))).reply.message.code).toBe("Failure_UnexpectedMessage");
});

test("GetAddress: Connect's testnet probe at m/44'/1'/0'/0/0, as @scure/bip32 derives it", async () => {
  const { reply } = await exchange(emulator(), ack("GetAddress", { address_n: [0x8000002c, 0x80000001, 0x80000000, 0, 0], coin_name: "Testnet", script_type: "SPENDADDRESS" }));
  const key = HDKey.fromMasterSeed(mnemonicToSeedSync(TEST_MNEMONIC)).derive("m/44'/1'/0'/0/0").publicKey!;
  const expected = base58check(sha256).encode(Uint8Array.of(0x6f, ...ripemd160(sha256(key))));
  expect(reply).toEqual({ type: "Address", message: { address: expected } });
});

test("the PIN matrix of a screenless emulator: position n is digit n, and nothing else is a PIN", () => {
  fc.assert(fc.property(fc.stringMatching(/^[1-9]{1,50}$/), (pin) => pinFromPositions(pin) === pin));
  fc.assert(fc.property(fc.string().filter((s) => !/^[1-9]{1,50}$/.test(s)), (text) => pinFromPositions(text) === undefined));
});

test("packets: any message survives the 64-byte framing, however many packets it takes", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 600 }), (key, value) => {
      const message = ack("CipherKeyValue", { address_n: [1, 2], key, value: Buffer.from(value).toString("hex"), encrypt: true });
      const packets = messageToPackets(message);
      expect(packets.every((p) => p.length === 64)).toBe(true);
      const reader = new PacketReader();
      const out = packets.map((p) => reader.push(p));
      expect(out.slice(0, -1).every((m) => m === undefined)).toBe(true);
      expect(out[out.length - 1]).toMatchObject({ type: "CipherKeyValue", message: { key, value: Buffer.from(value).toString("hex") } });
    }),
    { numRuns: 50 },
  );
});
