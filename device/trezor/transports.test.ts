import fc from "fast-check";
import { UsageError } from "../usageError";
import { parseUdpAddress, transportFromEnvironment } from "./transports";

test("BCM_TREZOR_TRANSPORT: bridge by default; udp at BCM_TREZOR_UDP or Trezor's emulator port", () => {
  expect(transportFromEnvironment({})).toEqual({ kind: "bridge" });
  expect(transportFromEnvironment({ BCM_TREZOR_TRANSPORT: "usb" })).toEqual({ kind: "usb" });
  expect(transportFromEnvironment({ BCM_TREZOR_TRANSPORT: "udp" })).toEqual({ kind: "udp", udpAddress: "127.0.0.1:21324" });
  expect(transportFromEnvironment({ BCM_TREZOR_TRANSPORT: "udp", BCM_TREZOR_UDP: "127.0.0.1:4000" })).toEqual({ kind: "udp", udpAddress: "127.0.0.1:4000" });
  expect(() => transportFromEnvironment({ BCM_TREZOR_TRANSPORT: "webusb" })).toThrow(new UsageError("BCM_TREZOR_TRANSPORT", 'must be one of bridge, usb, udp, got "webusb"'));
  // An emulator address with a hardware transport is a mistake, not something to ignore.
  expect(() => transportFromEnvironment({ BCM_TREZOR_UDP: "127.0.0.1:4000" })).toThrow(UsageError);
});

test("an emulator is reached on loopback only, at a real port", () => {
  fc.assert(
    fc.property(fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 65535 }), (a, b, c, port) => {
      expect(parseUdpAddress(`127.${a}.${b}.${c}:${port}`)).toEqual({ host: `127.${a}.${b}.${c}`, port });
    }),
  );
  for (const bad of ["10.0.0.1:21324", "localhost:21324", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.256:1", " 127.0.0.1:1"]) {
    expect(() => parseUdpAddress(bad)).toThrow(/^BCM_TREZOR_UDP: must be a loopback address and port/);
  }
});
