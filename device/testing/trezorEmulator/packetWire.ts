// The emulated firmware behind an in-process wire, for unit tests that need no socket and
// no @trezor/connect: every message on the way in and out is encoded into 64-byte packets
// and reassembled, as on the UDP emulator, so the protobuf encoding is exercised both ways.
import type { TrezorWire, WireMessage as HostMessage } from "../../trezor/trezorWire";
import { EmulatedFirmware, EmulatorOptions, FirmwareIo, WireMessage } from "./firmware";
import { messageToPackets, PacketReader } from "./packets";

function throughPackets(message: WireMessage): WireMessage {
  const reader = new PacketReader();
  let decoded: WireMessage | undefined;
  for (const packet of messageToPackets(message)) decoded = reader.push(packet) ?? decoded;
  if (!decoded) throw new Error(`${message.type} did not survive its packets`);
  return decoded;
}

/** A TrezorWire to a fresh emulated firmware; `sent` records every message the host sent. */
export function packetWire(options: EmulatorOptions): { wire: TrezorWire; sent: WireMessage[] } {
  const firmware = new EmulatedFirmware(options);
  const sent: WireMessage[] = [];
  const toFirmware: WireMessage[] = [];
  let toHost: ((m: WireMessage) => void) | undefined;
  let wake: (() => void) | undefined;
  const io: FirmwareIo = {
    receive: async () => {
      while (toFirmware.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return toFirmware.shift()!;
    },
    send: (message) => toHost?.(throughPackets(message)),
  };
  void firmware.serve(io);
  const wire: TrezorWire = {
    call: (name, data) =>
      new Promise<HostMessage>((resolve) => {
        toHost = resolve;
        const message = throughPackets({ type: name, message: data });
        sent.push(message);
        toFirmware.push(message);
        wake?.();
      }),
  };
  return { wire, sent };
}
