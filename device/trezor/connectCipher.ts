// CipherKeyValue through @trezor/connect, which supports it directly.
//
// NOT TESTED ON HARDWARE (no device or emulator here). The parameters are unit-tested
// (trezor-messages.test.ts); this file follows @trezor/connect 9.7's typings and its
// documented Node setup.
import { hexToBytes } from "../bytes";
import { CipherKeyValueRequest, DeviceError } from "../device";
import { DeviceNotFoundError } from "./transportLink";
import { cipherKeyValueParams } from "./trezorMessages";
import { PassphraseMode } from "./trezorWire";

export interface CipherKeyValueBackend {
  cipherKeyValue(request: CipherKeyValueRequest): Promise<Uint8Array>;
  close(): Promise<void>;
}

const MANIFEST = { appName: "Bitcoin Cache Machine", appUrl: "https://github.com/BitcoinCacheMachine", email: "bcm@localhost" };

export async function openConnectCipher(passphrase: PassphraseMode, timeoutMs = 60000): Promise<CipherKeyValueBackend> {
  const { default: TrezorConnect, UI, UI_EVENT } = await import("@trezor/connect");
  await TrezorConnect.init({ manifest: MANIFEST, transports: ["BridgeTransport", "NodeUsbTransport"], lazyLoad: false, popup: false });
  // Connect asks its host for a passphrase through UI events; answer as the wire does.
  TrezorConnect.on(UI_EVENT, (event: { type: string }) => {
    if (event.type === UI.REQUEST_PASSPHRASE) {
      TrezorConnect.uiResponse({
        type: UI.RECEIVE_PASSPHRASE,
        payload: passphrase.kind === "on-device"
          ? { value: "", passphraseOnDevice: true, save: true }
          : { value: passphrase.kind === "host" ? passphrase.passphrase : "", save: true },
      });
    }
  });
  return {
    async cipherKeyValue(request) {
      const params = { ...cipherKeyValueParams(request), useEmptyPassphrase: passphrase.kind === "empty" };
      const call = TrezorConnect.cipherKeyValue(params as unknown as Parameters<typeof TrezorConnect.cipherKeyValue>[0]);
      // With a transport but no device, Connect waits for one indefinitely: bound it.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeviceNotFoundError("no Trezor answered (timeout)")), timeoutMs);
      });
      try {
        const response = (await Promise.race([call, timeout])) as
          | { success: true; payload: { value: string } }
          | { success: false; payload: { error: string; code?: string } };
        if (!response.success) {
          if (response.payload.code === "Device_NotFound") throw new DeviceNotFoundError("no Trezor connected");
          throw new DeviceError(response.payload.error);
        }
        return hexToBytes(response.payload.value);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      TrezorConnect.dispose();
    },
  };
}
