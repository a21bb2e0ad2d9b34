// @trezor/transport's UDP transport (the one Trezor's emulators speak) at an address of
// our choosing. The library pings a fixed 127.0.0.1:21324; BCM's tests run emulators on
// any free loopback port, so enumerate pings the configured address instead. Everything
// else (socket, 64-byte packets, read buffer, ping/pong) is the library's own code.
import { AbstractApiTransport } from "@trezor/transport";
import { UdpApi } from "@trezor/transport/lib/api/udp";
import { DEVICE_TYPE } from "@trezor/transport/lib/constants";
import type { AbstractTransportParams } from "@trezor/transport/lib/transports/abstract";
import { DescriptorApiLevel, PathInternal } from "@trezor/transport/lib/types";
import { parseUdpAddress } from "./udpAddress";

/** The private members of UdpApi this subclass reuses (the library declares them private). */
interface UdpApiInternals {
  ping(path: string, signal?: AbortSignal): Promise<boolean>;
  handleDevicesChange(devices: DescriptorApiLevel[]): void;
}

class AddressedUdpApi extends UdpApi {
  constructor(private readonly path: string) {
    super({});
  }

  async enumerate(signal?: AbortSignal) {
    const internals = this as unknown as UdpApiInternals;
    const path = PathInternal(this.path);
    try {
      const answered = await internals.ping(path, signal);
      const devices = answered ? [{ path, type: DEVICE_TYPE.TypeEmulator, product: 0, vendor: 0, id: path, apiType: this.type }] : [];
      internals.handleDevicesChange(devices);
      return this.success(devices);
    } catch {
      internals.handleDevicesChange([]);
      return this.error({ error: "Aborted by signal" as const });
    }
  }
}

export class AddressedUdpTransport extends AbstractApiTransport {
  // Connect and the transport's own code know the UDP transport by this name.
  name = "UdpTransport" as const;

  constructor(address: string, params: AbstractTransportParams) {
    const { host, port } = parseUdpAddress(address);
    super({ ...params, api: new AddressedUdpApi(`${host}:${port}`) });
  }
}
