// Starts main.ts as a child process and waits for its address: the emulator a `bcm`
// process under test talks to over loopback UDP.
import { spawn } from "node:child_process";
import { join } from "node:path";

export interface EmulatorProcessOptions {
  mnemonicFile: string;
  pin?: string;
  rejectButtons?: boolean;
  passphraseProtection?: boolean;
}

export interface EmulatorProcess {
  /** "127.0.0.1:<port>", for BCM_TREZOR_UDP. */
  address: string;
  /** The environment that points `bcm` at this emulator. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, "..", "..", "..");

export function startEmulatorProcess(options: EmulatorProcessOptions, timeoutMs = 60_000): Promise<EmulatorProcess> {
  const args = ["-r", "ts-node/register", join(__dirname, "main.ts"), "--mnemonic-file", options.mnemonicFile];
  if (options.pin !== undefined) args.push("--pin", options.pin);
  if (options.rejectButtons) args.push("--reject-buttons");
  if (options.passphraseProtection) args.push("--passphrase-protection");
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the emulator did not start within ${timeoutMs} ms: ${stderr.trim()}`));
    }, timeoutMs);
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const match = /^listening (127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      const address = match[1];
      resolve({
        address,
        env: { BCM_DEVICE: "trezor", BCM_TREZOR_TRANSPORT: "udp", BCM_TREZOR_UDP: address },
        stop: async () => {
          child.kill("SIGTERM");
          await exited;
        },
      });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (${code}) before listening: ${stderr.trim()}`));
    });
  });
}
