import { softwareDeviceNotice } from "./deviceNotice";

test("one line when the software device is chosen, nothing otherwise", () => {
  expect(softwareDeviceNotice({ BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: "/home/s/m" })).toBe(
    "[bcm] software device (BCM_DEVICE=mnemonic /home/s/m): the keys come from a mnemonic on this computer, not from a Trezor",
  );
  expect(softwareDeviceNotice({})).toBeUndefined();
  expect(softwareDeviceNotice({ BCM_DEVICE: "trezor" })).toBeUndefined();
});
