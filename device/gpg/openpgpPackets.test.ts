// Vectors: romanz/trezor-agent libagent/gpg/tests/test_protocol.py.
import { armor, mpi, packet, subpacket, subpackets, subpacketTime } from "./openpgpPackets";

const b = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));

test("packet", () => {
  expect(packet(1, new Uint8Array(0))).toEqual(b("\x84\x00"));
  expect(packet(2, b("A"))).toEqual(b("\x88\x01A"));
  expect(packet(3, b("B".repeat(0xab)))).toEqual(b("\x8c\xab" + "B".repeat(0xab)));
  expect(packet(3, b("C".repeat(0x1234)))).toEqual(b("\x8d\x12\x34" + "C".repeat(0x1234)));
  const big = new Uint8Array(0x12345).fill(0x44);
  expect(packet(4, big).subarray(0, 5)).toEqual(b("\x92\x00\x01\x23\x45"));
});

test("subpackets", () => {
  expect(subpacket(1, new Uint8Array(0))).toEqual(b("\x01"));
  expect(subpacketTime(0x12345678)).toEqual(b("\x02\x12\x34\x56\x78"));
  expect(subpacket(0xab, [0xcd])).toEqual(b("\xab\xcd"));
  expect(subpackets([])).toEqual(b("\x00\x00"));
  expect(subpackets([b("ABC"), b("12345")])).toEqual(b("\x00\x0a\x03ABC\x0512345"));
});

test("mpi", () => {
  expect(mpi(0x123n)).toEqual(b("\x00\x09\x01\x23"));
  expect(mpi(b("\x00\x00\x01\x23"))).toEqual(b("\x00\x09\x01\x23"));
});

test("armor", () => {
  const data = Uint8Array.from({ length: 256 }, (_, i) => i);
  expect(armor(data, "TEST")).toBe(`-----BEGIN PGP TEST-----
Version: GnuPG v2

AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v
MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5f
YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6P
kJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/
wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v
8PHy8/T19vf4+fr7/P3+/w==
=W700
-----END PGP TEST-----
`);
});
