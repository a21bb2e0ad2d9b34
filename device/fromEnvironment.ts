// Which device a command uses: the Trezor unless BCM_DEVICE=mnemonic chooses the software
// device, whose mnemonic is read from BCM_MNEMONIC_FILE (never from an argument or a
// variable, so it shows up in no process listing) and passphrase from BCM_PASSPHRASE.
import { readFileSync, statSync } from "node:fs";
import { Device } from "./device";
import { MnemonicDevice } from "./mnemonicDevice";
import { UsageError } from "./usageError";
import { PassphraseMode } from "./trezor/trezorWire";
import { transportFromEnvironment } from "./trezor/transports";

export interface DeviceSelection {
  /** The stack's network, so the software device can warn loudly on mainnet. */
  network?: string;
  /** Where notices go (confirm on the device, waiting for it, the mainnet warning); default stderr. */
  warn?: (message: string) => void;
  /** How long to wait for a Trezor to answer (default 60 s; 5 s for an emulator, which is there or not). */
  waitMs?: number;
}

/** The device kinds BCM_DEVICE names. */
export const DEVICE_KINDS = ["trezor", "mnemonic"] as const;

export function deviceKindFromEnvironment(env: NodeJS.ProcessEnv): (typeof DEVICE_KINDS)[number] {
  const kind = env.BCM_DEVICE ?? "trezor";
  if (kind === "trezor" || kind === "mnemonic") return kind;
  throw new UsageError("BCM_DEVICE", `must be "trezor" (the default) or "mnemonic", got ${JSON.stringify(kind)}`);
}

/**
 * A mnemonic file anyone but its owner can read or write is refused, as OpenSSH refuses
 * such a private key: a readable one gives the seed away, a writable one lets another
 * user swap in a seed of their own.
 */
export function mnemonicFileProblem(file: string, mode: number): string | undefined {
  if ((mode & 0o077) === 0) return undefined;
  const octal = (mode & 0o777).toString(8).padStart(4, "0");
  return `BCM_MNEMONIC_FILE: permissions ${octal} for ${file} are too open (group or others may read or write it): chmod 600 ${file}`;
}

function readMnemonicFile(file: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    throw new UsageError("BCM_MNEMONIC_FILE", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const problem = mnemonicFileProblem(file, mode);
  if (problem) throw new Error(problem);
  return readFileSync(file, "utf8");
}

export async function deviceFromEnvironment(env: NodeJS.ProcessEnv = process.env, selection: DeviceSelection = {}): Promise<Device> {
  const say = selection.warn ?? ((m: string) => process.stderr.write(m + "\n"));
  if (deviceKindFromEnvironment(env) === "mnemonic") {
    const file = env.BCM_MNEMONIC_FILE;
    if (!file) throw new UsageError("BCM_MNEMONIC_FILE", "is required when BCM_DEVICE=mnemonic");
    const mnemonic = readMnemonicFile(file);
    try {
      return new MnemonicDevice(mnemonic, { passphrase: env.BCM_PASSPHRASE ?? "", network: selection.network ?? env.BCM_NETWORK, warn: say });
    } catch (error) {
      throw new UsageError("BCM_MNEMONIC_FILE", (error as Error).message);
    }
  }
  const transport = transportFromEnvironment(env);
  const passphrase: PassphraseMode =
    env.BCM_TREZOR_PASSPHRASE === "on-device"
      ? { kind: "on-device" }
      : env.BCM_PASSPHRASE !== undefined
        ? { kind: "host", passphrase: env.BCM_PASSPHRASE }
        : { kind: "empty" };
  const { TrezorDevice } = await import("./trezor/trezorDevice");
  const { askPinOnTerminal } = await import("./trezor/terminalPin");
  let waited = false;
  return TrezorDevice.open({
    transport,
    interaction: { passphrase, onButtonRequest: () => say("Confirm on your Trezor."), pinMatrix: askPinOnTerminal },
    waitMs: selection.waitMs ?? (transport.kind === "udp" ? 5_000 : 60_000),
    onWaiting: () => {
      if (!waited) say(transport.kind === "udp" ? `Waiting for the Trezor emulator at ${transport.udpAddress}.` : "Waiting for a Trezor: connect and unlock it.");
      waited = true;
    },
  });
}
