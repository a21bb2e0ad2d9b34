// What answered, in words (for `bcm info` and `bcm init`), and as the policy pack's device
// kind. Both read the device's own report (Device.describe), never BCM_DEVICE.
import { DeviceDescription } from "./device";

const TREZOR_MODELS: Record<string, string> = {
  T1B1: "Model One",
  T2T1: "Model T",
  T2B1: "Safe 3",
  T3B1: "Safe 3",
  T3T1: "Safe 5",
  T3W1: "Safe 7",
};

/** One line: "Trezor Model One (T1B1), firmware 1.13.1, "label"", or the software device. */
export function deviceLine(d: DeviceDescription): string {
  if (d.kind === "software") return "software device (BCM_DEVICE=mnemonic): keys from a mnemonic in this computer's memory";
  const model = d.model ? `Trezor ${TREZOR_MODELS[d.model] ?? "model"} (${d.model})` : "Trezor (model not reported)";
  const parts = [model, d.firmware ? `firmware ${d.firmware}` : "firmware not reported"];
  if (d.label) parts.push(JSON.stringify(d.label));
  if (d.transport === "udp") parts.push("over UDP: an emulator, not a hardware device");
  return parts.join(", ");
}

/** The policy pack's vocabulary (policy/settings.ts `devices`). */
export type PolicyDeviceKind = "trezor" | "emulator" | "mnemonic";

/**
 * Only a Trezor reached over USB or Trezor Bridge counts as "trezor": the UDP transport
 * reaches emulators only, whose seed is in a computer's memory like the software device's.
 */
export function policyDeviceKind(d: DeviceDescription): PolicyDeviceKind {
  if (d.kind === "software") return "mnemonic";
  return d.transport === "udp" ? "emulator" : "trezor";
}
