// SSH wire encoding (RFC 4251 section 5): the subset the agent protocol and key
// formats need.
import { bytesToBigInt, concatBytes, uint32BE, utf8 } from "../bytes";

export function sshString(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === "string" ? utf8(data) : data;
  return concatBytes(uint32BE(bytes.length), bytes);
}

/** Unsigned big-endian integer as an mpint: no leading zeros, plus one if the top bit is set. */
export function sshMpint(unsignedBigEndian: Uint8Array): Uint8Array {
  let start = 0;
  while (start < unsignedBigEndian.length && unsignedBigEndian[start] === 0) start++;
  let body = unsignedBigEndian.subarray(start);
  if (body.length > 0 && body[0] & 0x80) body = concatBytes(Uint8Array.of(0), body);
  return sshString(body);
}

export class SshReader {
  #offset = 0;
  constructor(private readonly data: Uint8Array) {}

  get remaining(): number {
    return this.data.length - this.#offset;
  }

  byte(): number {
    this.#need(1);
    return this.data[this.#offset++];
  }

  uint32(): number {
    this.#need(4);
    const value = new DataView(this.data.buffer, this.data.byteOffset + this.#offset, 4).getUint32(0, false);
    this.#offset += 4;
    return value;
  }

  string(): Uint8Array {
    const length = this.uint32();
    this.#need(length);
    const value = this.data.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return value;
  }

  mpint(): bigint {
    return bytesToBigInt(this.string());
  }

  #need(n: number): void {
    if (this.remaining < n) throw new Error("truncated SSH message");
  }
}
