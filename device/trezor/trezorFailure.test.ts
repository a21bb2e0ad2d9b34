import fc from "fast-check";
import { DeviceError } from "../device";
import { trezorFailure, trezorFailureMessage } from "./trezorFailure";

test("the refusals a person causes read as what happened, what to do, and the code", () => {
  expect(trezorFailureMessage("Failure_ActionCancelled", "Action cancelled by user")).toBe(
    "the request was cancelled on the Trezor: run the command again and confirm on the device (Failure_ActionCancelled)",
  );
  expect(trezorFailureMessage("Failure_PinInvalid", "PIN invalid")).toBe("wrong PIN: run the command again and enter the PIN by the positions the Trezor shows (Failure_PinInvalid)");
  expect(trezorFailureMessage("Device_NotFound", "Device not found")).toMatch(/^no Trezor answered: connect and unlock it, or set BCM_DEVICE=mnemonic .*\(Device_NotFound\)$/);
});

test("any other refusal keeps the device's own reason, on one line, with its code", () => {
  expect(trezorFailureMessage("Failure_DataError", "Value length must be a multiple of 16")).toBe("the Trezor refused the request: Value length must be a multiple of 16 (Failure_DataError)");
  expect(trezorFailureMessage(undefined, undefined)).toBe("the Trezor refused the request: no reason given");
  fc.assert(
    fc.property(fc.option(fc.stringMatching(/^[A-Za-z_]{1,30}$/), { nil: undefined }), fc.option(fc.string(), { nil: undefined }), (code, message) => {
      const error = trezorFailure(code, message);
      expect(error).toBeInstanceOf(DeviceError);
      expect(error.code).toBe(code);
      expect(error.message).not.toContain("\n");
    }),
  );
});
