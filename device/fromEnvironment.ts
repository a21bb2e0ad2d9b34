// Which device a command uses: a Trezor by default; with BCM_DEVICE=mnemonic the software
// device, its mnemonic read from BCM_MNEMONIC_FILE (never from an argument or a variable,
// so it shows up in no process listing) and its passphrase from BCM_PASSPHRASE.
import { readFileSync } from "node:fs";
import { Device } from "./device";
import { MnemonicDevice } from "./mnemonicDevice";
import { UsageError } from "./usageError";
import { PassphraseMode } from "./trezor/trezorWire";

export interface DeviceSelection {
  /** The stack's network, so the software device can warn loudly on mainnet. */
  network?: string;
  warn?: (message: string) => void;
}

export async function deviceFromEnvironment(env: NodeJS.ProcessEnv = process.env, selection: DeviceSelection = {}): Promise<Device> {
  const kind = env.BCM_DEVICE ?? "trezor";
  if (kind === "mnemonic") {
    const file = env.BCM_MNEMONIC_FILE;
    if (!file) throw new UsageError("BCM_MNEMONIC_FILE", "is required when BCM_DEVICE=mnemonic");
    let mnemonic: string;
    try {
      mnemonic = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError("BCM_MNEMONIC_FILE", `cannot read ${file}: ${(error as Error).message}`);
    }
    try {
      return new MnemonicDevice(mnemonic, { passphrase: env.BCM_PASSPHRASE ?? "", network: selection.network ?? env.BCM_NETWORK, warn: selection.warn });
    } catch (error) {
      throw new UsageError("BCM_MNEMONIC_FILE", (error as Error).message);
    }
  }
  if (kind === "trezor") {
    const passphrase: PassphraseMode =
      env.BCM_TREZOR_PASSPHRASE === "on-device"
        ? { kind: "on-device" }
        : env.BCM_PASSPHRASE !== undefined
          ? { kind: "host", passphrase: env.BCM_PASSPHRASE }
          : { kind: "empty" };
    const transport = env.BCM_TREZOR_TRANSPORT === "usb" ? "usb" : "bridge";
    const { TrezorDevice } = await import("./trezor/trezorDevice");
    return TrezorDevice.open({ transport, passphrase, onButtonRequest: () => process.stderr.write("Confirm on your Trezor.\n") });
  }
  throw new UsageError("BCM_DEVICE", `must be "trezor" or "mnemonic", got ${JSON.stringify(kind)}`);
}
