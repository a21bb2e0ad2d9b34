// Interop with the real `pass`: it reads the entries we write (with the software
// device's secret in a throw-away GnuPG home), we read the entries it writes, and the
// store's git history holds one device-signed commit per change.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { MnemonicDevice } from "../mnemonicDevice";
import { TEST_MNEMONIC } from "../testing/testMnemonic";
import { makeTempDir } from "../testing/tempDir";
import { GnupgHome, makeGnupgHome } from "../testing/gnupgHome";
import { gpgIdentity } from "../gpg/gpgIdentity";
import { gpgPublicKey } from "../gpg/gpgPublicKey";
import { exportGpgSecretKey } from "../gpg/gpgSecretKey";
import { fingerprint, hexUpper } from "../gpg/gpgKeyPacket";
import { generatePassword, getPassword, initPasswordStore, insertPassword, listPasswords, PasswordStore, removePassword } from "./passwordStore";

const device = new MnemonicDevice(TEST_MNEMONIC);
const identity = gpgIdentity("BCM Passwords <pass@bcm.example>", "nist256p1");
const dir = makeTempDir("pass-it");
let home: GnupgHome;
let store: PasswordStore;

const pass = (args: string[], input?: string) =>
  execa("pass", args, { env: { PASSWORD_STORE_DIR: store.dir, GNUPGHOME: home.path }, input, reject: false, stripFinalNewline: false });

beforeAll(async () => {
  home = makeGnupgHome();
  writeFileSync(join(home.path, "gpg.conf"), "trust-model always\n");
  expect((await home.gpg(["--import"], await exportGpgSecretKey(device, identity))).exitCode).toBe(0);
  const key = await gpgPublicKey(device, identity);
  store = { dir: join(dir.path, "store"), key, device, signing: { device, key } };
  // Commit identity for this test's git (and pass's), whatever the machine's config.
  Object.assign(process.env, {
    GIT_AUTHOR_NAME: "BCM", GIT_AUTHOR_EMAIL: "pass@bcm.example",
    GIT_COMMITTER_NAME: "BCM", GIT_COMMITTER_EMAIL: "pass@bcm.example",
  });
  await initPasswordStore(store, { git: true });
}, 60000);

afterAll(async () => {
  await home.remove();
  dir.remove();
});

test("pass shows what we inserted and generated, and lists it", async () => {
  await insertPassword(store, "bitcoind/rpcpassword", "hunter2\n");
  const generated = await generatePassword(store, "lnd/wallet", { length: 32 });
  expect((await pass(["show", "bitcoind/rpcpassword"])).stdout).toBe("hunter2\n");
  expect((await pass(["show", "lnd/wallet"])).stdout).toBe(generated + "\n");
  const listing = await pass(["ls"]);
  expect(listing.exitCode).toBe(0);
  expect(listing.stdout).toMatch(/bitcoind[\s\S]*rpcpassword[\s\S]*lnd[\s\S]*wallet/);
});

test("we read what pass inserts, to the key in our .gpg-id", async () => {
  const inserted = await pass(["insert", "--multiline", "tor/hs_ed25519_secret_key"], "line 1\nline 2\n");
  expect(inserted.exitCode).toBe(0);
  expect(await getPassword(store, "tor/hs_ed25519_secret_key")).toBe("line 1\nline 2\n");
  expect(listPasswords(store)).toContain("tor/hs_ed25519_secret_key");
});

test("every change of ours is a commit signed by the device key; pass rm sees our removals", async () => {
  await removePassword(store, "lnd/wallet");
  expect((await pass(["show", "lnd/wallet"])).exitCode).not.toBe(0);
  const log = await execa("git", ["-C", store.dir, "log", "--format=%G? %GF %s"], { env: { GNUPGHOME: home.path } });
  const ours = hexUpper(fingerprint(store.key.primary));
  const lines = log.stdout.split("\n");
  expect(lines).toContain(`G ${ours} Remove lnd/wallet from store.`);
  expect(lines).toContain(`G ${ours} Add generated password for lnd/wallet to store.`);
  expect(lines).toContain(`G ${ours} Add given password for bitcoind/rpcpassword to store.`);
  expect(lines).toContain(`G ${ours} Set GPG id to ${ours}.`);
  expect(lines.some((l) => l.includes("tor/hs_ed25519_secret_key"))).toBe(true); // pass's own commit
});
