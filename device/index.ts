// The device package: one interface to the Trezor (or the software device that follows its
// firmware), and the identities derived from it. No Pulumi dependency; usable alone.
export * from "./device";
export { MnemonicDevice, MAINNET_WARNING } from "./mnemonicDevice";
export type { MnemonicDeviceOptions } from "./mnemonicDevice";
export { deviceFromEnvironment } from "./fromEnvironment";
export type { DeviceSelection } from "./fromEnvironment";
export { deriveStackPassphrase, stackPassphraseLabel, stackPassphraseRequest, STACK_PASSPHRASE_PATH } from "./stackPassphrase";
export { formatBip32Path, HARDENED, parseBip32Path } from "./bip32Path";
export { parseIdentityUri, serializeIdentity } from "./slip13Identity";
export { UsageError } from "./usageError";
export * as gpg from "./gpg/gpgIdentity";
export * as ssh from "./ssh/sshIdentity";
export * as pass from "./pass/passwordStore";
export * as git from "./git/gitSignedObjects";
