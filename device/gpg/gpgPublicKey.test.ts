// Vectors: trezor-agent-vectors.json, produced by trezor-agent's own code (libagent
// 0.16.2) with vectors/generate_trezor_agent_vectors.py; and the key ids of
// romanz/trezor-agent libagent/gpg/tests/test_protocol.py.
import { p256 } from "@noble/curves/p256";
import { ed25519 } from "@noble/curves/ed25519";
import { concatBytes } from "../bytes";
import { MnemonicDevice } from "../mnemonicDevice";
import { gpgIdentity, GpgCurve } from "./gpgIdentity";
import { gpgPublicKey } from "./gpgPublicKey";
import { hexUpper, keyId, KeyPacket } from "./gpgKeyPacket";
import vectors from "./vectors/trezor-agent-vectors.json";

const device = new MnemonicDevice(vectors.mnemonic);

describe("keys identical to trezor-agent's (libagent 0.16.2)", () => {
  test.each(vectors.gpg.map((v) => [v.userId, v.curve, v.created, v] as const))("%s %s created %i", async (userId, curve, created, v) => {
    const key = await gpgPublicKey(device, gpgIdentity(userId, curve as GpgCurve), { created });
    expect(key.armored).toBe(v.armored);
  });
});

describe("trezor-agent test_protocol.py key ids (created 42)", () => {
  const nistPoint = p256.ProjectivePoint.BASE.toRawBytes(false); // secret exponent 1
  const edPoint = concatBytes(Uint8Array.of(0x40), ed25519.getPublicKey(new Uint8Array(32))); // zero seed
  test.each<[string, KeyPacket, string]>([
    ["nist256p1", { curve: "nist256p1", created: 42, point: nistPoint, ecdh: false }, "F82361D9"],
    ["nist256p1 ecdh", { curve: "nist256p1", created: 42, point: nistPoint, ecdh: true }, "5811DF46"],
    ["ed25519", { curve: "ed25519", created: 42, point: edPoint, ecdh: false }, "36B40FE6"],
    // That test builds a curve25519 key without ecdh=True: algorithm 18, no KDF parameters.
    ["curve25519", { curve: "curve25519", created: 42, point: edPoint, ecdh: false }, "69460384"],
  ])("%s", (_name, key, shortId) => {
    expect(hexUpper(keyId(key)).slice(-8)).toBe(shortId);
  });
});

test("user ids trezor-agent would transliterate or mis-sign are refused", () => {
  expect(() => gpgIdentity("Jürgen <j@example.org>")).toThrow(/ASCII/);
  expect(() => gpgIdentity("x".repeat(256))).toThrow(/256/);
});
