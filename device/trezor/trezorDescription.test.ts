import { describeFeatures } from "./trezorDescription";

test("model, firmware and label come from the Features the device sent", () => {
  expect(describeFeatures({ internal_model: "T2T1", model: "T", major_version: 2, minor_version: 9, patch_version: 1, label: "vault" }, "usb")).toEqual({
    kind: "trezor",
    transport: "usb",
    model: "T2T1",
    firmware: "2.9.1",
    label: "vault",
  });
  // An older Model One sends only model "1" and no label: nothing is made up.
  expect(describeFeatures({ model: "1", major_version: 1, minor_version: 9, patch_version: null, label: "" }, "bridge")).toEqual({ kind: "trezor", transport: "bridge", model: "1" });
});
