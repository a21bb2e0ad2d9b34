// Each stack's Pulumi secrets passphrase, derived on the device with SLIP-0011
// CipherKeyValue so that it never has to be stored: the same device (and wallet
// passphrase) always yields the same stack passphrase. See README.md for why this
// path, label and value, and why they can never change.
import { bytesToHex } from "./bytes";
import { HARDENED } from "./bip32Path";
import { CipherKeyValueRequest, Device } from "./device";
import { UsageError } from "./usageError";

/** m/4342605'/0': 4342605 = 0x42434D, "BCM" in ASCII; a purpose no SLIP or BIP uses. */
export const STACK_PASSPHRASE_PATH: readonly number[] = [(0x42434d | HARDENED) >>> 0, HARDENED];

/** 32 zero bytes: the value is public and fixed; the secret is the device's key for the label. */
const STACK_PASSPHRASE_VALUE = new Uint8Array(32);

/** Pulumi's own stack-name alphabet, without the org/project prefix. */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** The text shown on the Trezor's screen when it asks to confirm. */
export function stackPassphraseLabel(stackName: string): string {
  return `BCM stack ${stackName}`;
}

export function stackPassphraseRequest(stackName: string): CipherKeyValueRequest {
  if (!STACK_NAME.test(stackName)) {
    throw new UsageError("stack", `not a bare Pulumi stack name (letters, digits, "_", ".", "-"): ${JSON.stringify(stackName)}`);
  }
  return {
    path: STACK_PASSPHRASE_PATH,
    key: stackPassphraseLabel(stackName),
    value: STACK_PASSPHRASE_VALUE,
    // Decrypt with ask-on-decrypt: the Trezor shows the label and waits for a press
    // every time a stack is unlocked; ask-on-encrypt is off as nothing is encrypted.
    encrypt: false,
    askOnEncrypt: false,
    askOnDecrypt: true,
  };
}

/** 64 lowercase hex characters (256 bits). Give it to the engine as PULUMI_CONFIG_PASSPHRASE, never in argv. */
export async function deriveStackPassphrase(device: Device, stackName: string): Promise<string> {
  return bytesToHex(await device.cipherKeyValue(stackPassphraseRequest(stackName)));
}
