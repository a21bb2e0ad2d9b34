// BCM's emulated Trezor as a process of its own, for tests that run `bcm` as a user does:
//
//   node -r ts-node/register device/testing/trezorEmulator/main.ts --mnemonic-file F [--port 0]
//        [--pin 1234] [--reject-buttons] [--passphrase-protection] [--label NAME]
//
// Prints "listening 127.0.0.1:<port>" once it answers (port 0 picks a free one), then serves
// until SIGINT or SIGTERM. Point bcm at it with BCM_DEVICE=trezor BCM_TREZOR_TRANSPORT=udp
// BCM_TREZOR_UDP=127.0.0.1:<port>. A test device: its seed is in this process's memory.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startTrezorEmulator } from "./udpEmulator";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "mnemonic-file": { type: "string" },
      port: { type: "string", default: "0" },
      pin: { type: "string" },
      "reject-buttons": { type: "boolean", default: false },
      "passphrase-protection": { type: "boolean", default: false },
      label: { type: "string" },
    },
  });
  const file = values["mnemonic-file"];
  if (!file) throw new Error("--mnemonic-file: give the file holding the emulator's BIP-39 mnemonic");
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port number: ${values.port}`);
  const emulator = await startTrezorEmulator({
    mnemonic: readFileSync(file, "utf8"),
    port,
    pin: values.pin,
    buttons: values["reject-buttons"] ? "reject" : "confirm",
    passphraseProtection: values["passphrase-protection"],
    label: values.label,
  });
  process.stdout.write(`listening ${emulator.address}\n`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`trezor emulator: ${(error as Error).message}\n`);
  process.exit(1);
});
