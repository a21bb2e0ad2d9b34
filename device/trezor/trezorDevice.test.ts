// TrezorDevice against a scripted wire. The "firmware" behind the wire is the
// MnemonicDevice (held to the public vectors elsewhere); every request and reply goes
// through @trezor/protobuf's encoder and decoder, as it would on the transport. So this
// tests TrezorDevice's side of the protocol, not a real device.
import fc from "fast-check";
import { decodeMessage, encodeMessage, parseConfigure } from "@trezor/protobuf";
import messagesJson from "@trezor/protobuf/messages.json";
import { bytesToHex, hexToBytes } from "../bytes";
import { DeviceError, Identity } from "../device";
import { MnemonicDevice } from "../mnemonicDevice";
import { SigningCurve } from "../curves";
import { TrezorDevice } from "./trezorDevice";
import { CipherKeyValueBackend } from "./connectCipher";
import { PassphraseMode, TrezorWire, WireMessage } from "./trezorWire";
import { Payload } from "./trezorMessages";

const root = parseConfigure(messagesJson as unknown as Parameters<typeof parseConfigure>[0]);
const firmware = new MnemonicDevice("alcohol woman abuse must during monitor noble actual mixed trade anger aisle");

/** Like the transport: payload -> protobuf bytes -> payload, both ways. */
function overTheWire(name: string, payload: Payload): Payload {
  return decodeMessage(root, name, encodeMessage(root, name, payload).message).message as Payload;
}

function toIdentity(p: Payload): Identity {
  const { proto, user, host, port, path, index } = p as Record<string, string | number | undefined>;
  return { proto: proto as string, user: user as string, host: host as string, port: port as string, path: path as string, index: index as number };
}

/** A device that asks for a button press, then a passphrase, before each answer. */
function emulatedWire(log: string[]): TrezorWire {
  let pending: WireMessage | undefined;
  const answer = async (name: string, p: Payload): Promise<WireMessage> => {
    if (name === "GetPublicKey") {
      const key = await firmware.getPublicKey(p.address_n as number[], p.ecdsa_curve_name as SigningCurve);
      return { type: "PublicKey", message: { node: { depth: 0, fingerprint: 0, child_num: 0, chain_code: "00".repeat(32), public_key: bytesToHex(key) }, xpub: "" } };
    }
    if (name === "SignIdentity") {
      const s = await firmware.signIdentity({ identity: toIdentity(p.identity as Payload), challengeHidden: hexToBytes(p.challenge_hidden as string), challengeVisual: p.challenge_visual as string, curve: p.ecdsa_curve_name as SigningCurve });
      return { type: "SignedIdentity", message: { public_key: bytesToHex(s.publicKey), signature: bytesToHex(s.signature), ...(s.address ? { address: s.address } : {}) } };
    }
    const e = await firmware.getEcdhSessionKey({ identity: toIdentity(p.identity as Payload), peerPublicKey: hexToBytes(p.peer_public_key as string), curve: p.ecdsa_curve_name as "nist256p1" });
    return { type: "ECDHSessionKey", message: { session_key: bytesToHex(e.sessionKey), public_key: bytesToHex(e.publicKey) } };
  };
  return {
    async call(name, data) {
      const payload = overTheWire(name, data);
      log.push(name);
      if (name === "ButtonAck") return { type: "PassphraseRequest", message: {} };
      if (name === "PassphraseAck") {
        log.push(JSON.stringify(data)); // what we sent (the decoded form adds nulls)
        const reply = pending!;
        return { type: reply.type, message: overTheWire(reply.type, reply.message) };
      }
      pending = await answer(name, payload);
      return { type: "ButtonRequest", message: { code: 8 } };
    },
  };
}

const noCipher: CipherKeyValueBackend = { cipherKeyValue: async () => new Uint8Array(), close: async () => undefined };

function trezor(log: string[], passphrase: PassphraseMode = { kind: "empty" }, buttons: unknown[] = []) {
  return new TrezorDevice({
    runWire: (operation) => operation(emulatedWire(log)),
    cipher: noCipher,
    interaction: { passphrase, onButtonRequest: (code) => buttons.push(code) },
  });
}

test("SignIdentity goes out, the user confirms, the firmware's vector comes back", async () => {
  const log: string[] = [];
  const buttons: unknown[] = [];
  const signed = await trezor(log, { kind: "empty" }, buttons).signIdentity({
    identity: { proto: "https", user: "satoshi", host: "bitcoin.org", path: "/login", index: 0 },
    challengeHidden: hexToBytes("cd8552569d6e4509266ef137584d1e62c7579b5b8ed69bbafa4b864c6521e7c2"),
    challengeVisual: "2015-03-23 17:39:22",
    curve: "secp256k1",
  });
  expect(log).toEqual(["SignIdentity", "ButtonAck", "PassphraseAck", '{"passphrase":""}']);
  expect(buttons).toEqual([8]);
  expect(signed.address).toBe("17F17smBTX9VTZA9Mj8LM5QGYNZnmziCjL");
  expect(bytesToHex(signed.signature)).toBe(
    "20f2d1a42d08c3a362be49275c3ffeeaa415fc040971985548b9f910812237bb41770bf2c8d488428799fbb7e52c11f1a3404011375e4080e077e0e42ab7a5ba02",
  );
});

test("passphrase on the device is requested as on_device", async () => {
  const log: string[] = [];
  await trezor(log, { kind: "on-device" }).getPublicKey([0x8000000d], "nist256p1");
  expect(log).toContain('{"on_device":true}');
});

test("TrezorDevice and MnemonicDevice agree on every operation over the wire", async () => {
  const device = trezor([]);
  const identity = fc.record({ proto: fc.constantFrom("ssh", "gpg", "https"), host: fc.stringMatching(/^[a-z]{1,12}$/), index: fc.nat(100) });
  await fc.assert(
    fc.asyncProperty(identity, fc.constantFrom<SigningCurve>("nist256p1", "ed25519", "secp256k1"), fc.uint8Array({ minLength: 32, maxLength: 32 }), async (id, curve, hidden) => {
      const request = { identity: id, challengeHidden: hidden, challengeVisual: "", curve };
      expect(await device.signIdentity(request)).toEqual(await firmware.signIdentity(request));
      const peer = Uint8Array.of(0x40, ...hidden);
      const ecdh = { identity: id, peerPublicKey: peer, curve: "curve25519" as const };
      expect(await device.getEcdhSessionKey(ecdh)).toEqual(await firmware.getEcdhSessionKey(ecdh));
    }),
    { numRuns: 10 },
  );
});

test("a Failure reply becomes a DeviceError with the firmware's message", async () => {
  const failing = new TrezorDevice({
    runWire: (op) => op({ call: async () => ({ type: "Failure", message: { code: 4, message: "Action cancelled by user" } }) }),
    cipher: noCipher,
    interaction: { passphrase: { kind: "empty" } },
  });
  await expect(failing.getPublicKey([], "ed25519")).rejects.toThrow(new DeviceError("Action cancelled by user"));
});

test("a PIN matrix request without a PIN handler cancels and asks to unlock first", async () => {
  const sent: string[] = [];
  const locked = new TrezorDevice({
    runWire: (op) => op({ call: async (name) => (sent.push(name), { type: "PinMatrixRequest", message: {} }) }),
    cipher: noCipher,
    interaction: { passphrase: { kind: "empty" } },
  });
  await expect(locked.getPublicKey([], "ed25519")).rejects.toThrow(/unlock/);
  expect(sent).toEqual(["GetPublicKey", "Cancel"]);
});

test("cipherKeyValue is delegated to the Connect backend untouched", async () => {
  const seen: unknown[] = [];
  const device = new TrezorDevice({
    runWire: () => Promise.reject(new Error("not used")),
    cipher: { cipherKeyValue: async (r) => (seen.push(r), Uint8Array.of(1)), close: async () => undefined },
    interaction: { passphrase: { kind: "empty" } },
  });
  const request = { path: [1], key: "k", value: new Uint8Array(16), encrypt: true, askOnEncrypt: false, askOnDecrypt: true };
  expect(await device.cipherKeyValue(request)).toEqual(Uint8Array.of(1));
  expect(seen).toEqual([request]);
});
