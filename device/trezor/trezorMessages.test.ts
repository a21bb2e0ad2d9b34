// Our payloads, encoded by @trezor/protobuf with the firmware's own message definitions
// (messages.json), give the protobuf bytes the firmware expects, and decode back.
import { decodeMessage, encodeMessage, parseConfigure } from "@trezor/protobuf";
import messagesJson from "@trezor/protobuf/messages.json";
import { bytesToHex, hexToBytes } from "../bytes";
import {
  cipherKeyValueParams,
  getEcdhSessionKeyPayload,
  getPublicKeyPayload,
  parseEcdhSessionKey,
  parsePublicKey,
  parseSignedIdentity,
  signIdentityPayload,
} from "./trezorMessages";

const root = parseConfigure(messagesJson as unknown as Parameters<typeof parseConfigure>[0]);

test("SignIdentity: message type 53 and the field numbers of messages-misc.proto", () => {
  const payload = signIdentityPayload({
    identity: { proto: "ssh", user: "", host: "h", index: 0 },
    challengeHidden: Uint8Array.of(1, 2),
    challengeVisual: "",
    curve: "nist256p1",
  });
  const { messageType, message } = encodeMessage(root, "SignIdentity", payload);
  expect(messageType).toBe(53);
  // identity(1){proto(1)="ssh" host(3)="h" index(6)=0} challenge_hidden(2)=0102
  // challenge_visual(3)="" ecdsa_curve_name(4)="nist256p1"
  expect(message.toString("hex")).toBe("0a0a0a03737368" + "1a0168" + "3000" + "12020102" + "1a00" + "22096e6973743235367031");
  expect(decodeMessage(root, "SignIdentity", message).message).toMatchObject({
    identity: { proto: "ssh", host: "h", index: 0 },
    challenge_hidden: "0102",
    ecdsa_curve_name: "nist256p1",
  });
});

test("GetECDHSessionKey: message type 61, peer key as bytes", () => {
  const peer = "40a8cf4b6a64c4314e80f15a8ea55812bd735fbb365936a48b2d78807b575fa17a";
  const payload = getEcdhSessionKeyPayload({
    identity: { proto: "gpg", host: "Satoshi Nakamoto <satoshi@bitcoin.org>", index: 0 },
    peerPublicKey: hexToBytes(peer),
    curve: "curve25519",
  });
  const { messageType, message } = encodeMessage(root, "GetECDHSessionKey", payload);
  expect(messageType).toBe(61);
  const decoded = decodeMessage(root, "GetECDHSessionKey", message).message as Record<string, unknown>;
  expect(decoded).toMatchObject({ peer_public_key: peer, ecdsa_curve_name: "curve25519" });
  expect(message.toString("hex")).toContain("1221" + peer); // field 2, 33 bytes
});

test("GetPublicKey: address_n as packed uint32s, a curve and no coin", () => {
  const { messageType, message } = encodeMessage(root, "GetPublicKey", getPublicKeyPayload([0x8000000d, 1], "ed25519"));
  expect(messageType).toBe(11);
  const decoded = decodeMessage(root, "GetPublicKey", message).message as Record<string, unknown>;
  expect(decoded).toMatchObject({ address_n: [0x8000000d, 1], ecdsa_curve_name: "ed25519", show_display: false });
  expect(decoded.coin_name ?? "Bitcoin").toBe("Bitcoin"); // default only: we did not send one
  expect(message.toString("hex").startsWith("08" + "8d808080" + "08")).toBe(true); // field 1 varint 0x8000000d
});

test("CipherKeyValue parameters for @trezor/connect", () => {
  expect(
    cipherKeyValueParams({ path: [0, 1, 2], key: "test", value: new TextEncoder().encode("testing message!"), encrypt: true, askOnEncrypt: true, askOnDecrypt: true }),
  ).toEqual({ path: [0, 1, 2], key: "test", value: "74657374696e67206d65737361676521", encrypt: true, askOnEncrypt: true, askOnDecrypt: true });
  const { messageType } = encodeMessage(root, "CipherKeyValue", { address_n: [0, 1, 2], key: "test", value: "00".repeat(16), encrypt: true });
  expect(messageType).toBe(23);
});

describe("replies decoded by @trezor/protobuf map to the Device types", () => {
  test("SignedIdentity (test_msg_signidentity.py, secp256k1 case)", () => {
    const wire = encodeMessage(root, "SignedIdentity", {
      address: "17F17smBTX9VTZA9Mj8LM5QGYNZnmziCjL",
      public_key: "023a472219ad3327b07c18273717bb3a40b39b743756bf287fbd5fa9d263237f45",
      signature: "20f2d1a42d08c3a362be49275c3ffeeaa415fc040971985548b9f910812237bb41770bf2c8d488428799fbb7e52c11f1a3404011375e4080e077e0e42ab7a5ba02",
    }).message;
    const parsed = parseSignedIdentity(decodeMessage(root, "SignedIdentity", wire).message as Record<string, unknown>);
    expect(parsed.address).toBe("17F17smBTX9VTZA9Mj8LM5QGYNZnmziCjL");
    expect(bytesToHex(parsed.publicKey)).toBe("023a472219ad3327b07c18273717bb3a40b39b743756bf287fbd5fa9d263237f45");
    expect(parsed.signature).toHaveLength(65);
  });

  test("SignedIdentity without an address (non-secp256k1 curves)", () => {
    const wire = encodeMessage(root, "SignedIdentity", { public_key: "00" + "11".repeat(32), signature: "00" + "22".repeat(64) }).message;
    expect(parseSignedIdentity(decodeMessage(root, "SignedIdentity", wire).message as Record<string, unknown>).address).toBeUndefined();
  });

  test("ECDHSessionKey and PublicKey", () => {
    const ecdh = encodeMessage(root, "ECDHSessionKey", { session_key: "04" + "ab".repeat(32), public_key: "00" + "cd".repeat(32) }).message;
    const parsed = parseEcdhSessionKey(decodeMessage(root, "ECDHSessionKey", ecdh).message as Record<string, unknown>);
    expect(bytesToHex(parsed.sessionKey)).toBe("04" + "ab".repeat(32));
    expect(bytesToHex(parsed.publicKey)).toBe("00" + "cd".repeat(32));
    const node = { depth: 0, fingerprint: 0, child_num: 0, chain_code: "00".repeat(32), public_key: "02" + "ef".repeat(32) };
    const pk = encodeMessage(root, "PublicKey", { node, xpub: "" }).message;
    expect(bytesToHex(parsePublicKey(decodeMessage(root, "PublicKey", pk).message as Record<string, unknown>))).toBe("02" + "ef".repeat(32));
  });
});
