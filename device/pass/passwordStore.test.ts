// The store without git and without pass: file layout, names, round trips, generation.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { MnemonicDevice } from "../mnemonicDevice";
import { TEST_MNEMONIC } from "../testing/testMnemonic";
import { makeTempDir } from "../testing/tempDir";
import { gpgIdentity } from "../gpg/gpgIdentity";
import { gpgPublicKey } from "../gpg/gpgPublicKey";
import { fingerprint, hexUpper } from "../gpg/gpgKeyPacket";
import {
  generatePassword,
  getPassword,
  initPasswordStore,
  insertPassword,
  listPasswords,
  PASS_CHARACTERS,
  PasswordNameError,
  PasswordStore,
  removePassword,
} from "./passwordStore";

const device = new MnemonicDevice(TEST_MNEMONIC);
const dir = makeTempDir("pass-unit");
let store: PasswordStore;

beforeAll(async () => {
  const key = await gpgPublicKey(device, gpgIdentity("BCM Store <store@bcm.example>", "ed25519"));
  store = { dir: join(dir.path, "store"), key, device };
  await initPasswordStore(store);
});
afterAll(() => dir.remove());

test(".gpg-id names our primary key by fingerprint", () => {
  expect(readFileSync(join(store.dir, ".gpg-id"), "utf8")).toBe(hexUpper(fingerprint(store.key.primary)) + "\n");
});

test("insert, get, list and rm", async () => {
  await insertPassword(store, "bitcoind/rpc", "s3cret\n");
  await insertPassword(store, "lnd/macaroon", "line one\nline two\n");
  expect(existsSync(join(store.dir, "bitcoind", "rpc.gpg"))).toBe(true);
  expect(await getPassword(store, "bitcoind/rpc")).toBe("s3cret\n");
  expect(await getPassword(store, "lnd/macaroon")).toBe("line one\nline two\n");
  expect(listPasswords(store)).toEqual(["bitcoind/rpc", "lnd/macaroon"]);
  await removePassword(store, "lnd/macaroon");
  expect(listPasswords(store)).toEqual(["bitcoind/rpc"]);
  expect(existsSync(join(store.dir, "lnd"))).toBe(false); // empty folder removed, like pass
});

test("an existing entry is only overwritten when forced", async () => {
  await insertPassword(store, "tor/control", "a\n");
  await expect(insertPassword(store, "tor/control", "b\n")).rejects.toThrow(PasswordNameError);
  await insertPassword(store, "tor/control", "b\n", { force: true });
  expect(await getPassword(store, "tor/control")).toBe("b\n");
});

test.each(["", "../outside", "a/../../b", "/etc/passwd", "dir/", "a//b", "./a"])("name %j is refused", async (name) => {
  await expect(insertPassword(store, name, "x")).rejects.toThrow(PasswordNameError);
});

test("generated passwords use pass's alphabets and lengths", async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 64 }), fc.boolean(), async (length, symbols) => {
      const password = await generatePassword(store, "generated", { length, symbols, force: true });
      expect(password).toHaveLength(length);
      const alphabet = symbols ? PASS_CHARACTERS.withSymbols : PASS_CHARACTERS.alphanumeric;
      expect([...password].every((c) => alphabet.includes(c))).toBe(true);
      expect(await getPassword(store, "generated")).toBe(password + "\n");
    }),
    { numRuns: 5 },
  );
  expect(PASS_CHARACTERS.withSymbols).toHaveLength(94);
});

test("a .gpg-id naming an unknown key stops the write instead of leaving someone out", async () => {
  mkdirSync(join(store.dir, "shared"), { recursive: true });
  writeFileSync(join(store.dir, "shared", ".gpg-id"), hexUpper(fingerprint(store.key.primary)) + "\nsomeone@else.example\n");
  await expect(insertPassword(store, "shared/x", "x\n")).rejects.toThrow(/someone@else.example/);
});
