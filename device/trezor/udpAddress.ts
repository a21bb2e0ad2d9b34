// Where an emulator listens (BCM_TREZOR_UDP), checked: loopback only.
import { UsageError } from "../usageError";

/** Where Trezor's own emulator listens. */
export const DEFAULT_EMULATOR_ADDRESS = "127.0.0.1:21324";

/** `host:port` of an emulator; loopback only, since whatever answers there holds its seed in memory. */
export function parseUdpAddress(text: string): { host: string; port: number } {
  const match = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$/.exec(text);
  const octets = match?.[1].split(".").map(Number) ?? [];
  const port = Number(match?.[2]);
  if (!match || octets.some((o) => o > 255) || port < 1 || port > 65535) {
    throw new UsageError("BCM_TREZOR_UDP", `must be a loopback address and port such as ${DEFAULT_EMULATOR_ADDRESS}, got ${JSON.stringify(text)}`);
  }
  return { host: match[1], port };
}
