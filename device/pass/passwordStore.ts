// A password store in pass's format (https://www.passwordstore.org): a directory of
// `<name>.gpg` files, each an OpenPGP message to the keys listed in the nearest
// `.gpg-id`, optionally a git repository with one commit per change. `pass` reads what
// we write and we read what it writes; decryption goes through the device.
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { execa } from "execa";
import { utf8 } from "../bytes";
import { Device } from "../device";
import { GpgKey } from "../gpg/gpgPublicKey";
import { hexUpper, fingerprint, keyId } from "../gpg/gpgKeyPacket";
import { encryptTo } from "../gpg/gpgEncrypt";
import { decryptWithDevice } from "../gpg/gpgDecrypt";
import { SigningContext, signedCommit } from "../git/gitSignedObjects";

export interface PasswordStore {
  /** The store's root (pass: $PASSWORD_STORE_DIR, default ~/.password-store). */
  readonly dir: string;
  /** The device key: our recipient, and the one that decrypts. */
  readonly key: GpgKey;
  readonly device: Device;
  /** Armored public keys of other recipients named in a .gpg-id, by that exact id. */
  readonly otherRecipients?: Readonly<Record<string, string>>;
  /** When set and the store is a git repository, commits are signed with the device. */
  readonly signing?: SigningContext;
}

export class PasswordNameError extends Error {}

/** pass refuses names that climb out of the store (check_sneaky_paths); so do we. */
export function passwordPath(store: PasswordStore, name: string): string {
  if (!name || name.startsWith("/") || name.endsWith("/") || name.split("/").some((p) => p === ".." || p === "." || p === "")) {
    throw new PasswordNameError(`not a password name: ${JSON.stringify(name)}`);
  }
  return join(store.dir, `${name}.gpg`);
}

export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PASSWORD_STORE_DIR ?? join(env.HOME ?? "", ".password-store");
}

/** `pass init <our fingerprint>`: writes .gpg-id (and with git, commits it). */
export async function initPasswordStore(store: PasswordStore, options: { git?: boolean } = {}): Promise<void> {
  mkdirSync(store.dir, { recursive: true, mode: 0o700 });
  const id = hexUpper(fingerprint(store.key.primary));
  writeFileSync(join(store.dir, ".gpg-id"), id + "\n");
  if (options.git && !isGitRepository(store)) await execa("git", ["-C", store.dir, "init", "-q"]);
  await commit(store, [".gpg-id"], `Set GPG id to ${id}.`);
}

/** `pass insert [-m]`: stores `contents` as given (pass adds the final newline for one-line input). */
export async function insertPassword(store: PasswordStore, name: string, contents: string, options: { force?: boolean } = {}): Promise<void> {
  await writeEntry(store, name, contents, options.force ?? false);
  await commit(store, [`${name}.gpg`], `Add given password for ${name} to store.`);
}

export const PASS_CHARACTERS = {
  // POSIX [:punct:][:alnum:] in the C locale, pass's default CHARACTER_SET.
  withSymbols: "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
  alphanumeric: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
} as const;

/** `pass generate [-n] name [length]`: a uniformly random password, stored and returned. */
export async function generatePassword(
  store: PasswordStore,
  name: string,
  options: { length?: number; symbols?: boolean; force?: boolean } = {},
): Promise<string> {
  const length = options.length ?? 25;
  if (!Number.isInteger(length) || length < 1 || length > 4096) throw new PasswordNameError(`bad password length: ${length}`);
  const alphabet = options.symbols === false ? PASS_CHARACTERS.alphanumeric : PASS_CHARACTERS.withSymbols;
  const password = Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
  await writeEntry(store, name, password + "\n", options.force ?? false);
  await commit(store, [`${name}.gpg`], `Add generated password for ${name} to store.`);
  return password;
}

/** `pass show name`: the decrypted contents, exactly as stored. */
export async function getPassword(store: PasswordStore, name: string): Promise<string> {
  const path = passwordPath(store, name);
  if (!existsSync(path)) throw new PasswordNameError(`${name} is not in the password store`);
  return Buffer.from(await decryptWithDevice(store.device, store.key, readFileSync(path))).toString("utf8");
}

/** `pass ls`, flattened: every entry name, sorted. */
export function listPasswords(store: PasswordStore): string[] {
  const names: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue; // .git, .gpg-id, .extensions
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".gpg")) names.push(relative(store.dir, path).slice(0, -4).split(sep).join("/"));
    }
  };
  if (existsSync(store.dir)) walk(store.dir);
  return names.sort();
}

/** `pass rm name`: removes the entry and any folders it leaves empty. */
export async function removePassword(store: PasswordStore, name: string): Promise<void> {
  const path = passwordPath(store, name);
  if (!existsSync(path)) throw new PasswordNameError(`${name} is not in the password store`);
  rmSync(path);
  for (let dir = dirname(path); dir !== store.dir && readdirSync(dir).length === 0; dir = dirname(dir)) rmdirSync(dir);
  if (isGitRepository(store)) await execa("git", ["-C", store.dir, "rm", "-q", "--cached", "--ignore-unmatch", "--", `${name}.gpg`]);
  await commit(store, [], `Remove ${name} from store.`);
}

/** The ids in the .gpg-id nearest to the entry, as pass resolves them. */
export function recipientIds(store: PasswordStore, name: string): string[] {
  for (let dir = dirname(passwordPath(store, name)); ; dir = dirname(dir)) {
    const file = join(dir, ".gpg-id");
    if (existsSync(file)) {
      return readFileSync(file, "utf8")
        .split("\n")
        .map((line) => line.replace(/#.*/, "").trim())
        .filter(Boolean);
    }
    if (dir === store.dir || relative(store.dir, dir).startsWith("..")) break;
  }
  throw new Error(`no .gpg-id in ${store.dir}: initialise the store first`);
}

function isOurKey(key: GpgKey, id: string): boolean {
  const wanted = id.replace(/^0x/i, "").replace(/!$/, "").toUpperCase();
  const candidates = [fingerprint(key.primary), fingerprint(key.subkey)].flatMap((f) => [hexUpper(f), hexUpper(f).slice(-16), hexUpper(f).slice(-8)]);
  return candidates.includes(wanted) || hexUpper(keyId(key.primary)) === wanted || id === key.identity.userId || id === key.identity.userId.match(/<(.*)>/)?.[1];
}

async function writeEntry(store: PasswordStore, name: string, contents: string, force: boolean): Promise<void> {
  const path = passwordPath(store, name);
  if (existsSync(path) && !force) throw new PasswordNameError(`an entry already exists for ${name} (use force to overwrite)`);
  const recipients = recipientIds(store, name).map((id) => {
    if (isOurKey(store.key, id)) return store.key.armored;
    const other = store.otherRecipients?.[id];
    if (!other) throw new Error(`.gpg-id names ${id}, whose public key was not given`);
    return other;
  });
  const encrypted = await encryptTo(recipients, utf8(contents));
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, encrypted, { mode: 0o600 });
}

function isGitRepository(store: PasswordStore): boolean {
  return existsSync(join(store.dir, ".git")) && statSync(join(store.dir, ".git")).isDirectory();
}

async function commit(store: PasswordStore, paths: string[], message: string): Promise<void> {
  if (!isGitRepository(store)) return;
  if (paths.length) await execa("git", ["-C", store.dir, "add", "--", ...paths]);
  if (store.signing) {
    await signedCommit(store.dir, message, store.signing);
  } else {
    await execa("git", ["-C", store.dir, "commit", "-q", "--no-gpg-sign", "-m", message]);
  }
}
