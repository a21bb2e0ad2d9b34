// Raw wire access to a Trezor through @trezor/transport (Trezor Bridge, or USB directly),
// for the messages @trezor/connect does not expose: SignIdentity, GetECDHSessionKey and
// curve-only GetPublicKey. Each operation acquires the device, runs, and releases it, so
// @trezor/connect (used for CipherKeyValue) can take its turn in between.
//
// NOT TESTED ON HARDWARE: no device or emulator was available when this was written. The
// message payloads and the interaction loop are unit-tested; this file's calls into
// @trezor/transport follow its 1.6 typings. The v1 wire protocol only (no THP/Safe 7).
import type { Descriptor, Session, Transport } from "@trezor/transport";
import { DeviceError } from "../device";
import { Payload } from "./trezorMessages";
import { TrezorWire, WireMessage } from "./trezorWire";

export type TransportKind = "bridge" | "usb";

export class DeviceNotFoundError extends DeviceError {}

function unwrap<T>(result: { success: true; payload: T } | { success: false; error: string; message?: string }, what: string): T {
  if (!result.success) throw new DeviceError(`${what}: ${result.error}${result.message ? ` (${result.message})` : ""}`);
  return result.payload;
}

export class TransportLink {
  /** Features.session_id of our first Initialize: resuming it keeps the passphrase cached. */
  #sessionId: string | undefined;

  private constructor(private readonly transport: Transport) {}

  static async open(kind: TransportKind = "bridge"): Promise<TransportLink> {
    // Loaded on demand: unit tests and the software device never need USB bindings.
    const { BridgeTransport, NodeUsbTransport } = await import("@trezor/transport");
    const messages = (await import("@trezor/protobuf/messages.json")).default as Record<string, unknown>;
    const params = { messages, id: "bcm" };
    const transport: Transport = kind === "usb" ? new NodeUsbTransport(params) : new BridgeTransport(params);
    unwrap(await transport.init(), "Trezor transport");
    return new TransportLink(transport);
  }

  /** Runs `operation` on the first connected Trezor inside one acquired session. */
  async withWire<T>(operation: (wire: TrezorWire) => Promise<T>): Promise<T> {
    const descriptors: Descriptor[] = unwrap(await this.transport.enumerate(), "enumerate");
    const descriptor = descriptors[0];
    if (!descriptor) throw new DeviceNotFoundError("no Trezor connected");
    const session: Session = unwrap(
      await this.transport.acquire({ input: { path: descriptor.path, previous: descriptor.session } }),
      "acquire",
    );
    const wire: TrezorWire = {
      call: async (name: string, data: Payload): Promise<WireMessage> => {
        const reply = unwrap(await this.transport.call({ session, name, data }), name) as { type: string; message: unknown };
        return { type: reply.type, message: (reply.message ?? {}) as Payload };
      },
    };
    try {
      const features = await wire.call("Initialize", this.#sessionId ? { session_id: this.#sessionId } : {});
      if (features.type !== "Features") throw new DeviceError(`unexpected reply ${features.type} to Initialize`);
      if (typeof features.message.session_id === "string") this.#sessionId = features.message.session_id;
      return await operation(wire);
    } finally {
      await this.transport.release({ path: descriptor.path, session });
    }
  }

  close(): void {
    this.transport.stop();
  }
}
