// A Trezor's refusal as one line a person can act on: what happened, the code the device
// (or @trezor/connect) gave, and what to do next. The same mapping serves the firmware's
// Failure messages on the raw wire and Connect's error responses, so a cancelled button
// press reads the same whichever path the operation took.
import { DeviceError } from "../device";

const ADVICE: Record<string, string> = {
  Failure_ActionCancelled: "the request was cancelled on the Trezor: run the command again and confirm on the device",
  Failure_PinInvalid: "wrong PIN: run the command again and enter the PIN by the positions the Trezor shows",
  Failure_PinCancelled: "PIN entry was cancelled: run the command again and enter the Trezor's PIN",
  Failure_PinExpected: "the Trezor expected its PIN: run the command again and enter it",
  Failure_NotInitialized: "the Trezor has no seed: set it up (or recover it from its backup) first",
  Device_NotFound: "no Trezor answered: connect and unlock it, or set BCM_DEVICE=mnemonic for the software device",
  Device_UsedElsewhere: "another program took the Trezor: close it (Trezor Suite, trezor-agent) and run the command again",
  Device_CallInProgress: "the Trezor is busy with another request: wait for it and run the command again",
  Transport_Missing: "no Trezor transport: start Trezor Bridge, or set BCM_TREZOR_TRANSPORT=usb",
};

/** One line for a refusal with this code and the device's own message. */
export function trezorFailureMessage(code: string | undefined, message: string | undefined): string {
  const advice = code ? ADVICE[code] : undefined;
  if (advice) return `${advice} (${code})`;
  const said = (message ?? "").split("\n")[0].trim() || "no reason given";
  return `the Trezor refused the request: ${said}${code ? ` (${code})` : ""}`;
}

export function trezorFailure(code: string | undefined, message: string | undefined): DeviceError {
  return new DeviceError(trezorFailureMessage(code, message), code);
}
