import fc from "fast-check";
import { DeviceDescription } from "./device";
import { deviceLine, policyDeviceKind } from "./describeDevice";

test("one line says what answered", () => {
  expect(deviceLine({ kind: "trezor", transport: "usb", model: "T2T1", firmware: "2.9.1", label: "vault" })).toBe('Trezor Model T (T2T1), firmware 2.9.1, "vault"');
  expect(deviceLine({ kind: "trezor", transport: "udp", model: "T1B1", firmware: "1.13.1", label: "BCM emulator" })).toBe(
    'Trezor Model One (T1B1), firmware 1.13.1, "BCM emulator", over UDP: an emulator, not a hardware device',
  );
  expect(deviceLine({ kind: "trezor", transport: "bridge" })).toBe("Trezor (model not reported), firmware not reported");
  expect(deviceLine({ kind: "software" })).toMatch(/^software device \(BCM_DEVICE=mnemonic\)/);
});

const descriptions: fc.Arbitrary<DeviceDescription> = fc.record(
  {
    kind: fc.constantFrom("trezor" as const, "software" as const),
    transport: fc.constantFrom("usb" as const, "bridge" as const, "udp" as const),
    model: fc.string(),
    firmware: fc.string(),
    label: fc.string(),
  },
  { requiredKeys: ["kind"] },
);

test("only a Trezor over USB or Bridge is a \"trezor\" to the policy, whatever else it reports", () => {
  fc.assert(
    fc.property(descriptions, (d) => {
      const kind = policyDeviceKind(d);
      expect(kind === "trezor").toBe(d.kind === "trezor" && d.transport !== "udp");
      expect(kind === "mnemonic").toBe(d.kind === "software");
    }),
  );
});
