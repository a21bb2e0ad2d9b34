// OpenPGP (RFC 4880) framing, written the way romanz/trezor-agent writes it
// (libagent/gpg/protocol.py), so that our keys come out byte for byte the same.
import { bigIntToBytes, bytesToBigInt, concatBytes, uint16BE, uint32BE } from "../bytes";

/** Old-format packet header with the smallest length type that fits (trezor-agent's `packet`). */
export function packet(tag: number, body: Uint8Array): Uint8Array {
  if (body.length < 0x100) return concatBytes(Uint8Array.of(0x80 | (tag << 2) | 0, body.length), body);
  if (body.length < 0x10000) return concatBytes(Uint8Array.of(0x80 | (tag << 2) | 1), uint16BE(body.length), body);
  return concatBytes(Uint8Array.of(0x80 | (tag << 2) | 2), uint32BE(body.length), body);
}

/** One signature subpacket: type || data, without its length (see `subpackets`). */
export function subpacket(type: number, data: Uint8Array | readonly number[]): Uint8Array {
  return concatBytes(Uint8Array.of(type), Uint8Array.from(data));
}

export const subpacketTime = (unixSeconds: number) => subpacket(2, uint32BE(unixSeconds));

/** RFC 4880 5.2.3.1 subpacket lengths, then the whole area's 2-byte length. */
export function subpackets(items: readonly Uint8Array[]): Uint8Array {
  const prefixed = items.map((item) => {
    const n = item.length;
    if (n >= 8384) return concatBytes(Uint8Array.of(0xff), uint32BE(n), item);
    if (n >= 192) return concatBytes(Uint8Array.of(((n - 192) >> 8) + 192, (n - 192) & 0xff), item);
    return concatBytes(Uint8Array.of(n), item);
  });
  const body = concatBytes(...prefixed);
  return concatBytes(uint16BE(body.length), body);
}

/** Multiprecision integer: bit count, then the big-endian value without leading zero bytes. */
export function mpi(value: bigint | Uint8Array): Uint8Array {
  const n = typeof value === "bigint" ? value : bytesToBigInt(value);
  const bits = n === 0n ? 0 : n.toString(2).length;
  return concatBytes(uint16BE(bits), bits === 0 ? new Uint8Array(0) : bigIntToBytes(n, Math.ceil(bits / 8)));
}

/** CRC-24 of RFC 4880 section 6.1 (the armor checksum). */
export function crc24(data: Uint8Array): Uint8Array {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  crc &= 0xffffff;
  return Uint8Array.of(crc >> 16, (crc >> 8) & 0xff, crc & 0xff);
}

/** ASCII armor exactly as trezor-agent's `armor`: a Version header, 64-column lines, checksum. */
export function armor(data: Uint8Array, type: string): string {
  const body = Buffer.from(data).toString("base64");
  const lines = body.match(/.{1,64}/g) ?? [];
  return (
    `-----BEGIN PGP ${type}-----\nVersion: GnuPG v2\n\n` +
    lines.map((l) => l + "\n").join("") +
    "=" + Buffer.from(crc24(data)).toString("base64") + "\n" +
    `-----END PGP ${type}-----\n`
  );
}
