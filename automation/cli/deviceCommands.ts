// One plain async function per `bcm device|ssh|gpg|pass|file|git` subcommand, for the
// CLI to call with its parsed options. Each returns exactly the text to write to stdout
// (final newline included) and throws UsageError (exit 2) for malformed input; any other
// error is a runtime failure (exit 1). Arguments are checked before the device is opened,
// so a typo never waits for a Trezor. The device comes from `context.device` or, when
// absent, from the environment (see device/fromEnvironment.ts) and is closed afterwards.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { bytesToHex } from "../../device/bytes";
import { ECDH_CURVES, EcdhCurve, SIGNING_CURVES, SigningCurve } from "../../device/curves";
import { Device, Identity } from "../../device/device";
import { deviceFromEnvironment } from "../../device/fromEnvironment";
import { parseIdentityUri } from "../../device/slip13Identity";
import { UsageError } from "../../device/usageError";
import { writePrivateFile } from "./privateFile";
import { choiceArgument, hexArgument, pathArgument, requiredArgument, uint32Argument } from "./arguments";
import { SSH_CURVES, SshCurve, sshIdentity, sshPublicKey } from "../../device/ssh/sshIdentity";
import { RunningSshAgent, startSshAgent } from "../../device/ssh/sshAgentServer";
import { GPG_CURVES, GpgCurve, GpgIdentity, gpgIdentity } from "../../device/gpg/gpgIdentity";
import { GpgKey, gpgPublicKey } from "../../device/gpg/gpgPublicKey";
import { signDetached } from "../../device/gpg/gpgSign";
import { verifyDetached } from "../../device/gpg/gpgVerify";
import { encryptTo, encryptToArmored } from "../../device/gpg/gpgEncrypt";
import { decryptWithDevice } from "../../device/gpg/gpgDecrypt";
import { fingerprint, hexUpper } from "../../device/gpg/gpgKeyPacket";
import * as passStore from "../../device/pass/passwordStore";
import { signedCommit, signedTag } from "../../device/git/gitSignedObjects";

export { UsageError };

export interface CommandContext {
  /** Use this device instead of the one the environment selects (tests, long-lived callers). */
  device?: Device;
  env?: NodeJS.ProcessEnv;
  /** Working directory for relative paths and git; default process.cwd(). */
  cwd?: string;
}

async function withDevice<T>(context: CommandContext, use: (device: Device) => Promise<T>): Promise<T> {
  if (context.device) return use(context.device);
  const device = await deviceFromEnvironment(context.env ?? process.env);
  try {
    return await use(device);
  } finally {
    await device.close();
  }
}

/** `--identity` as a SLIP-0013 URI, plus `--index`. */
function identityArgument(uri: string | undefined, index: string | number | undefined): Identity {
  const text = requiredArgument("--identity", uri);
  return { ...parseIdentityUri(text), index: uint32Argument("--index", index, 0) };
}

// ---- bcm device -------------------------------------------------------------------

export interface CipherKeyValueOptions {
  path?: string;
  key?: string;
  value?: string;
  encrypt?: boolean;
  decrypt?: boolean;
  askOnEncrypt?: boolean;
  askOnDecrypt?: boolean;
  iv?: string;
}

/** `bcm device cipher-key-value`: prints the result as hex. */
export async function deviceCipherKeyValue(options: CipherKeyValueOptions, context: CommandContext = {}): Promise<string> {
  if (Boolean(options.encrypt) === Boolean(options.decrypt)) throw new UsageError("--encrypt", "give exactly one of --encrypt and --decrypt");
  const request = {
    path: pathArgument("--path", options.path),
    key: requiredArgument("--key", options.key),
    value: hexArgument("--value", options.value, { multipleOf: 16 }),
    encrypt: Boolean(options.encrypt),
    askOnEncrypt: Boolean(options.askOnEncrypt),
    askOnDecrypt: Boolean(options.askOnDecrypt),
    iv: options.iv === undefined ? undefined : hexArgument("--iv", options.iv, { length: 16 }),
  };
  return withDevice(context, async (device) => bytesToHex(await device.cipherKeyValue(request)) + "\n");
}

export interface SignIdentityOptions {
  identity?: string;
  index?: string | number;
  curve?: string;
  challengeHidden?: string;
  challengeVisual?: string;
}

/** `bcm device sign-identity`: prints `{ publicKey, signature, address? }` as the firmware returns them. */
export async function deviceSignIdentity(options: SignIdentityOptions, context: CommandContext = {}): Promise<string> {
  const request = {
    identity: identityArgument(options.identity, options.index),
    curve: choiceArgument<SigningCurve>("--curve", options.curve, SIGNING_CURVES, "secp256k1"),
    challengeHidden: hexArgument("--challenge-hidden", options.challengeHidden),
    challengeVisual: options.challengeVisual ?? "",
  };
  return withDevice(context, async (device) => {
    const signed = await device.signIdentity(request);
    const json = { publicKey: bytesToHex(signed.publicKey), signature: bytesToHex(signed.signature), ...(signed.address ? { address: signed.address } : {}) };
    return JSON.stringify(json) + "\n";
  });
}

export interface EcdhOptions {
  identity?: string;
  index?: string | number;
  curve?: string;
  peerPublicKey?: string;
}

/** `bcm device ecdh`: prints `{ publicKey, sessionKey }`. */
export async function deviceEcdh(options: EcdhOptions, context: CommandContext = {}): Promise<string> {
  const curve = choiceArgument<EcdhCurve>("--curve", options.curve, ECDH_CURVES);
  const peerPublicKey = hexArgument("--peer-public-key", options.peerPublicKey);
  const expected = curve === "curve25519" ? [33] : [33, 65];
  if (!expected.includes(peerPublicKey.length)) {
    throw new UsageError("--peer-public-key", `a ${curve} key is ${expected.join(" or ")} bytes, got ${peerPublicKey.length}`);
  }
  const request = { identity: identityArgument(options.identity, options.index), curve, peerPublicKey };
  return withDevice(context, async (device) => {
    const result = await device.getEcdhSessionKey(request);
    return JSON.stringify({ publicKey: bytesToHex(result.publicKey), sessionKey: bytesToHex(result.sessionKey) }) + "\n";
  });
}

// ---- bcm ssh ----------------------------------------------------------------------

function sshIdentityArgument(identity: string | undefined, curve: string | undefined) {
  const c = choiceArgument<SshCurve>("--curve", curve, SSH_CURVES, "nist256p1");
  try {
    return sshIdentity(requiredArgument("<user@host>", identity), c);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError("<user@host>", (error as Error).message);
  }
}

/** `bcm ssh pubkey <user@host> [--curve]`: the OpenSSH public key line, as `trezor-agent user@host` prints it. */
export async function sshPubkey(options: { identity?: string; curve?: string }, context: CommandContext = {}): Promise<string> {
  const identity = sshIdentityArgument(options.identity, options.curve);
  return withDevice(context, async (device) => (await sshPublicKey(device, identity)).line + "\n");
}

/**
 * `bcm ssh agent <user@host>... [--curve] [--socket]`: starts the agent and returns the
 * shell line to export SSH_AUTH_SOCK plus the running agent. The CLI keeps the process
 * alive until a signal, then calls `agent.close()` (and closes the device).
 */
export async function sshAgent(
  options: { identities?: string[]; curve?: string; socket?: string },
  context: CommandContext = {},
): Promise<{ output: string; agent: RunningSshAgent; device: Device }> {
  const identities = (options.identities ?? []).map((i) => sshIdentityArgument(i, options.curve));
  if (identities.length === 0) throw new UsageError("<user@host>", "give at least one identity");
  const device = context.device ?? (await deviceFromEnvironment(context.env ?? process.env));
  const agent = await startSshAgent(device, identities, { socketPath: options.socket });
  return { output: `SSH_AUTH_SOCK=${agent.socketPath}; export SSH_AUTH_SOCK;\n`, agent, device };
}

// ---- bcm gpg ----------------------------------------------------------------------

export interface GpgKeyOptions {
  userId?: string;
  curve?: string;
  /** Key creation time, unix seconds (trezor-agent's --time); default 0. */
  time?: string | number;
}

function gpgKeyArgument(options: GpgKeyOptions, env: NodeJS.ProcessEnv): { identity: GpgIdentity; created: number } {
  const curve = choiceArgument<GpgCurve>("--curve", options.curve ?? env.BCM_GPG_CURVE, GPG_CURVES, "nist256p1");
  const created = uint32Argument("--time", options.time ?? env.BCM_GPG_TIME, 0);
  const userId = requiredArgument("<user id>", options.userId ?? env.BCM_GPG_USER_ID);
  try {
    return { identity: gpgIdentity(userId, curve), created };
  } catch (error) {
    throw new UsageError("<user id>", (error as Error).message);
  }
}

async function withGpgKey<T>(options: GpgKeyOptions, context: CommandContext, use: (device: Device, key: GpgKey) => Promise<T>): Promise<T> {
  const { identity, created } = gpgKeyArgument(options, context.env ?? process.env);
  return withDevice(context, async (device) => use(device, await gpgPublicKey(device, identity, { created })));
}

/** `bcm gpg pubkey "<user id>" [--curve] [--time]`: the armored public key, as trezor-agent exports it. */
export async function gpgPubkey(options: GpgKeyOptions, context: CommandContext = {}): Promise<string> {
  return withGpgKey(options, context, async (_device, key) => key.armored);
}

// ---- bcm file ---------------------------------------------------------------------

function inputFile(argument: string, path: string | undefined, cwd: string): Buffer {
  const file = resolve(cwd, requiredArgument(argument, path));
  if (!existsSync(file)) throw new UsageError(argument, `no such file: ${file}`);
  return readFileSync(file);
}

function isArmored(data: Buffer): boolean {
  return data.subarray(0, 64).toString("latin1").includes("-----BEGIN PGP");
}

export interface FileOptions extends GpgKeyOptions {
  input?: string;
  output?: string;
}

/** `bcm file encrypt`: to the identity's key (and any `--recipient-key` files); armored unless `--output`. */
export async function fileEncrypt(options: FileOptions & { recipientKeys?: string[] }, context: CommandContext = {}): Promise<string> {
  const cwd = context.cwd ?? process.cwd();
  const data = inputFile("--input", options.input, cwd);
  const others = (options.recipientKeys ?? []).map((f) => inputFile("--recipient-key", f, cwd).toString("utf8"));
  return withGpgKey(options, context, async (_device, key) => {
    if (options.output) {
      writeFileSync(resolve(cwd, options.output), await encryptTo([key.armored, ...others], data));
      return "";
    }
    return encryptToArmored([key.armored, ...others], data);
  });
}

/** `bcm file decrypt`: plaintext to `--output`, or as text. */
export async function fileDecrypt(options: FileOptions, context: CommandContext = {}): Promise<string> {
  const cwd = context.cwd ?? process.cwd();
  const data = inputFile("--input", options.input, cwd);
  return withGpgKey(options, context, async (device, key) => {
    const plaintext = await decryptWithDevice(device, key, isArmored(data) ? data.toString("utf8") : data);
    if (options.output) {
      // Plaintext of something that was encrypted: readable by its owner only, whatever the umask.
      writePrivateFile(resolve(cwd, options.output), plaintext);
      return "";
    }
    return Buffer.from(plaintext).toString("utf8");
  });
}

/** `bcm file sign`: an armored detached signature (to `--output`, or printed). */
export async function fileSign(options: FileOptions, context: CommandContext = {}): Promise<string> {
  const cwd = context.cwd ?? process.cwd();
  const data = inputFile("--input", options.input, cwd);
  return withGpgKey(options, context, async (device, key) => {
    const signature = await signDetached(device, key, data);
    if (options.output) {
      writeFileSync(resolve(cwd, options.output), signature);
      return "";
    }
    return signature;
  });
}

export class VerificationError extends Error {}

/** `bcm file verify --input <file> --signature <file.asc>`: throws VerificationError (exit 1) unless good. */
export async function fileVerify(options: FileOptions & { signature?: string }, context: CommandContext = {}): Promise<string> {
  const cwd = context.cwd ?? process.cwd();
  const data = inputFile("--input", options.input, cwd);
  const signature = inputFile("--signature", options.signature, cwd).toString("utf8");
  return withGpgKey(options, context, async (_device, key) => {
    const result = await verifyDetached([key.armored], data, signature);
    if (!result.valid) throw new VerificationError(`BAD signature: ${result.reason ?? "does not verify"}`);
    return `Good signature from "${key.identity.userId}" (${hexUpper(fingerprint(key.primary))})\n`;
  });
}

// ---- bcm pass ---------------------------------------------------------------------

export interface PassOptions extends GpgKeyOptions {
  /** Store directory; default $PASSWORD_STORE_DIR or ~/.password-store. */
  store?: string;
  name?: string;
  force?: boolean;
}

async function withStore<T>(options: PassOptions, context: CommandContext, use: (store: passStore.PasswordStore) => Promise<T>, init = false): Promise<T> {
  const env = context.env ?? process.env;
  const dir = resolve(context.cwd ?? process.cwd(), options.store ?? passStore.defaultStoreDir(env));
  return withGpgKey(options, context, async (device, key) => {
    const store: passStore.PasswordStore = { dir, key, device, signing: { device, key } };
    if (!init) {
      const gpgId = join(dir, ".gpg-id");
      if (!existsSync(gpgId)) throw new UsageError("--store", `${dir} is not a password store (no .gpg-id): run bcm pass init`);
    }
    try {
      return await use(store);
    } catch (error) {
      if (error instanceof passStore.PasswordNameError) throw new UsageError("<name>", error.message);
      throw error;
    }
  });
}

/** `bcm pass init [--git]`: a store whose .gpg-id names the device key. */
export async function passInit(options: PassOptions & { git?: boolean }, context: CommandContext = {}): Promise<string> {
  return withStore(options, context, async (store) => {
    await passStore.initPasswordStore(store, { git: options.git });
    return `Password store initialized for ${hexUpper(fingerprint(store.key.primary))}\n`;
  }, true);
}

/** `bcm pass new <name> [--length] [--no-symbols] [--force]`: generates, stores and prints a password. */
export async function passNew(options: PassOptions & { length?: string | number; symbols?: boolean }, context: CommandContext = {}): Promise<string> {
  const name = requiredArgument("<name>", options.name);
  const length = uint32Argument("--length", options.length, 25);
  if (length < 1 || length > 4096) throw new UsageError("--length", "must be between 1 and 4096");
  return withStore(options, context, async (store) => (await passStore.generatePassword(store, name, { length, symbols: options.symbols, force: options.force })) + "\n");
}

/** `bcm pass insert <name> [--multiline] [--force]`: `secret` as read by the CLI; one line gets pass's final newline. */
export async function passInsert(options: PassOptions & { secret?: string; multiline?: boolean }, context: CommandContext = {}): Promise<string> {
  const name = requiredArgument("<name>", options.name);
  if (options.secret === undefined) throw new UsageError("<secret>", "is required");
  if (!options.multiline && options.secret.includes("\n")) throw new UsageError("<secret>", "has several lines: use --multiline");
  const contents = options.multiline ? options.secret : options.secret + "\n";
  return withStore(options, context, async (store) => {
    await passStore.insertPassword(store, name, contents, { force: options.force });
    return "";
  });
}

/** `bcm pass get <name>`: the entry, exactly as stored (like `pass show`). */
export async function passGet(options: PassOptions, context: CommandContext = {}): Promise<string> {
  const name = requiredArgument("<name>", options.name);
  return withStore(options, context, (store) => passStore.getPassword(store, name));
}

/** `bcm pass list`: one entry name per line. */
export async function passList(options: PassOptions, context: CommandContext = {}): Promise<string> {
  return withStore(options, context, async (store) => passStore.listPasswords(store).map((n) => n + "\n").join(""));
}

/** `bcm pass rm <name>`. */
export async function passRm(options: PassOptions, context: CommandContext = {}): Promise<string> {
  const name = requiredArgument("<name>", options.name);
  return withStore(options, context, async (store) => {
    await passStore.removePassword(store, name);
    return "";
  });
}

// ---- bcm git ----------------------------------------------------------------------

export interface GitOptions extends GpgKeyOptions {
  /** Repository directory; default the working directory. */
  repo?: string;
  message?: string;
}

/** `bcm git commit -m <message>`: commits the index, signed by the device key; prints the commit id. */
export async function gitCommit(options: GitOptions, context: CommandContext = {}): Promise<string> {
  const message = requiredArgument("--message", options.message);
  const repo = resolve(context.cwd ?? process.cwd(), options.repo ?? ".");
  return withGpgKey(options, context, async (device, key) => (await signedCommit(repo, message, { device, key })) + "\n");
}

/** `bcm git tag <name> -m <message> [--target]`: a signed annotated tag; prints the tag object id. */
export async function gitTag(options: GitOptions & { name?: string; target?: string }, context: CommandContext = {}): Promise<string> {
  const name = requiredArgument("<name>", options.name);
  const message = requiredArgument("--message", options.message);
  const repo = resolve(context.cwd ?? process.cwd(), options.repo ?? ".");
  return withGpgKey(options, context, async (device, key) => (await signedTag(repo, name, message, { device, key }, options.target)) + "\n");
}

