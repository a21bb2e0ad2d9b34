// The one @trezor/transport instance a TrezorDevice uses: handed to @trezor/connect, which
// acquires the device through it, and used for the raw messages on the session Connect
// holds. Loaded on demand, so the software device never loads USB bindings.
import type { Transport } from "@trezor/transport";
import { UsageError } from "../usageError";
import { DEFAULT_EMULATOR_ADDRESS, parseUdpAddress } from "./udpAddress";

export { DEFAULT_EMULATOR_ADDRESS, parseUdpAddress };

export type TransportKind = "bridge" | "usb" | "udp";

export const TRANSPORT_KINDS: readonly TransportKind[] = ["bridge", "usb", "udp"];

export interface TransportChoice {
  kind: TransportKind;
  /** host:port of the emulator, for "udp" (default Trezor's emulator port, 127.0.0.1:21324). */
  udpAddress?: string;
}

/** BCM_TREZOR_TRANSPORT and BCM_TREZOR_UDP, checked. */
export function transportFromEnvironment(env: NodeJS.ProcessEnv): TransportChoice {
  const kind = env.BCM_TREZOR_TRANSPORT ?? "bridge";
  if (!(TRANSPORT_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError("BCM_TREZOR_TRANSPORT", `must be one of ${TRANSPORT_KINDS.join(", ")}, got ${JSON.stringify(kind)}`);
  }
  if (kind !== "udp" && env.BCM_TREZOR_UDP !== undefined) {
    throw new UsageError("BCM_TREZOR_UDP", "is only used with BCM_TREZOR_TRANSPORT=udp (an emulator): unset it or set the transport");
  }
  if (kind !== "udp") return { kind: kind as TransportKind };
  const udpAddress = env.BCM_TREZOR_UDP ?? DEFAULT_EMULATOR_ADDRESS;
  parseUdpAddress(udpAddress);
  return { kind, udpAddress };
}

export async function createTransport(choice: TransportChoice): Promise<Transport> {
  const messages = (await import("@trezor/protobuf/messages.json")).default as Record<string, unknown>;
  const params = { messages, id: "bcm" };
  if (choice.kind === "udp") {
    const { AddressedUdpTransport } = await import("./udpTransport");
    return new AddressedUdpTransport(choice.udpAddress ?? DEFAULT_EMULATOR_ADDRESS, params);
  }
  const { BridgeTransport, NodeUsbTransport } = await import("@trezor/transport");
  return choice.kind === "usb" ? new NodeUsbTransport(params) : new BridgeTransport(params);
}
