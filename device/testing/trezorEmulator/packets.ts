// The Trezor wire protocol v1 as the device's USB (and the emulator's UDP) endpoint sees
// it: 64-byte packets; the first starts "?##", a big-endian message type (2 bytes) and
// length (4 bytes), the rest start "?". Headers come from @trezor/protocol, messages from
// @trezor/protobuf with the firmware's definitions, chunking from @trezor/transport: the
// same code the host side uses, so both ends agree by construction on everything but the
// direction.
import { decodeMessage, encodeMessage, parseConfigure } from "@trezor/protobuf";
import messagesJson from "@trezor/protobuf/messages.json";
import { v1 } from "@trezor/protocol";
import { createChunks } from "@trezor/transport/lib/utils/send";
import type { WireMessage } from "./firmware";

export const PACKET_SIZE = 64;
const MAGIC = 0x3f; // "?"

const root = parseConfigure(messagesJson as unknown as Parameters<typeof parseConfigure>[0]);

/** A message as the packets the device sends, each padded to 64 bytes. */
export function messageToPackets({ type, message }: WireMessage): Buffer[] {
  const encoded = encodeMessage(root, type, message);
  const [, chunkHeader] = v1.getHeaders(encoded.message);
  return createChunks(v1.encode(encoded.message, { messageType: encoded.messageType }), chunkHeader, PACKET_SIZE);
}

/** Reassembles the host's packets into messages; stray packets are dropped, as the firmware does. */
export class PacketReader {
  #pending: { messageType: number; length: number; parts: Buffer[]; received: number } | undefined;

  /** The message this packet completes, if any. Throws only for a payload protobuf cannot decode. */
  push(packet: Buffer): WireMessage | undefined {
    if (packet.length === 0 || packet[0] !== MAGIC) return undefined;
    if (packet.length >= 3 && packet[1] === 0x23 && packet[2] === 0x23) {
      const { messageType, length, payload } = v1.decode(packet);
      this.#pending = { messageType: Number(messageType), length, parts: [], received: 0 };
      return this.#add(payload);
    }
    return this.#pending ? this.#add(packet.subarray(1)) : undefined;
  }

  #add(data: Buffer): WireMessage | undefined {
    const pending = this.#pending!;
    const take = data.subarray(0, pending.length - pending.received);
    pending.parts.push(take);
    pending.received += take.length;
    if (pending.received < pending.length) return undefined;
    this.#pending = undefined;
    const decoded = decodeMessage(root, pending.messageType, Buffer.concat(pending.parts));
    return { type: decoded.type, message: decoded.message as Record<string, unknown> };
  }
}
