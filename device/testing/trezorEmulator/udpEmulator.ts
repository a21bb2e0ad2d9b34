// BCM's emulated Trezor on a loopback UDP port, speaking what Trezor's own emulator speaks
// there (and what @trezor/transport's UdpTransport expects): one 64-byte wire packet per
// datagram, and "PINGPING" answered with "PONGPONG" so the host can tell a device is there.
// Replies go to whoever sent the last packet. Loopback only: this is a test device whose
// seed is in memory.
import { createSocket, RemoteInfo, Socket } from "node:dgram";
import { EmulatedFirmware, EmulatorOptions, failure, FirmwareIo, WireMessage } from "./firmware";
import { messageToPackets, PacketReader } from "./packets";

const PING = Buffer.from("PINGPING");
const PONG = Buffer.from("PONGPONG");

export interface RunningEmulator {
  /** "127.0.0.1:<port>", the value for BCM_TREZOR_UDP. */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A queue of the host's messages for the firmware to await, in order. */
class Inbox {
  #messages: WireMessage[] = [];
  #waiting: { resolve: (m: WireMessage) => void; reject: (e: Error) => void } | undefined;
  #closed = false;

  push(message: WireMessage): void {
    if (this.#waiting) {
      const { resolve } = this.#waiting;
      this.#waiting = undefined;
      resolve(message);
    } else this.#messages.push(message);
  }

  next(): Promise<WireMessage> {
    const queued = this.#messages.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#closed) return Promise.reject(new Error("emulator closed"));
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  close(): void {
    this.#closed = true;
    this.#waiting?.reject(new Error("emulator closed"));
    this.#waiting = undefined;
  }
}

export async function startTrezorEmulator(options: EmulatorOptions & { port?: number }): Promise<RunningEmulator> {
  const firmware = new EmulatedFirmware(options);
  const socket: Socket = createSocket("udp4");
  const reader = new PacketReader();
  const inbox = new Inbox();
  let peer: RemoteInfo | undefined;

  const send = (message: WireMessage): void => {
    if (!peer) return;
    const to = peer;
    for (const packet of messageToPackets(message)) socket.send(packet, to.port, to.address);
  };
  socket.on("message", (data, from) => {
    if (data.equals(PING)) {
      socket.send(PONG, from.port, from.address);
      return;
    }
    peer = from;
    let message: WireMessage | undefined;
    try {
      message = reader.push(data);
    } catch {
      // A message protobuf cannot decode: the firmware answers it as unknown.
      send(failure("Failure_UnexpectedMessage"));
      return;
    }
    if (message) inbox.push(message);
  });

  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(options.port ?? 0, "127.0.0.1", () => {
      socket.off("error", reject);
      resolve();
    });
  });
  const io: FirmwareIo = { receive: () => inbox.next(), send };
  const serving = firmware.serve(io).catch(() => undefined); // ends when the inbox closes
  const port = socket.address().port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    async close() {
      inbox.close();
      await serving;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
