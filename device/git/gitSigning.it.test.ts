// Interop with real git and GnuPG: `git verify-commit` and `git verify-tag` accept the
// commits and tags we sign with the device's GPG key, and reject a forged one.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { MnemonicDevice } from "../mnemonicDevice";
import { TEST_MNEMONIC } from "../testing/testMnemonic";
import { makeTempDir } from "../testing/tempDir";
import { GnupgHome, makeGnupgHome } from "../testing/gnupgHome";
import { gpgIdentity } from "../gpg/gpgIdentity";
import { GpgKey, gpgPublicKey } from "../gpg/gpgPublicKey";
import { fingerprint, hexUpper } from "../gpg/gpgKeyPacket";
import { signedCommit, signedTag } from "./gitSignedObjects";

const device = new MnemonicDevice(TEST_MNEMONIC);
const repo = makeTempDir("git");
let home: GnupgHome;
let key: GpgKey;

const git = (args: string[], input?: string) =>
  execa("git", ["-C", repo.path, ...args], { env: { GNUPGHOME: home.path }, reject: false, input });

beforeAll(async () => {
  home = makeGnupgHome();
  writeFileSync(join(home.path, "gpg.conf"), "trust-model always\n");
  key = await gpgPublicKey(device, gpgIdentity("BCM Operator <ops@bcm.example>", "nist256p1"));
  expect((await home.gpg(["--import"], key.armored)).exitCode).toBe(0);
  await git(["init", "-q", "-b", "main"]);
  await git(["config", "user.name", "BCM Operator"]);
  await git(["config", "user.email", "ops@bcm.example"]);
});

afterAll(async () => {
  await home.remove();
  repo.remove();
});

test("git verify-commit accepts a root commit and its child", async () => {
  writeFileSync(join(repo.path, "stack.yaml"), "network: regtest\n");
  await git(["add", "stack.yaml"]);
  const first = await signedCommit(repo.path, "Add regtest stack\n\nSigned on the device.", { device, key });
  appendFileSync(join(repo.path, "stack.yaml"), "tor: true\n");
  await git(["add", "stack.yaml"]);
  const second = await signedCommit(repo.path, "Route through Tor", { device, key });

  for (const commit of [first, second]) {
    const verified = await git(["verify-commit", "--raw", commit]);
    expect(verified.exitCode).toBe(0);
    expect(verified.stderr).toContain(`VALIDSIG ${hexUpper(fingerprint(key.primary))}`);
  }
  expect((await git(["log", "--format=%H %G? %s"])).stdout).toBe(`${second} G Route through Tor\n${first} G Add regtest stack`);
  expect((await git(["rev-parse", "HEAD~1"])).stdout).toBe(first);
  expect((await git(["fsck", "--strict"])).exitCode).toBe(0);
});

test("nothing staged means nothing to commit", async () => {
  await expect(signedCommit(repo.path, "empty", { device, key })).rejects.toThrow(/nothing to commit/);
});

test("git verify-tag accepts a signed tag", async () => {
  const tag = await signedTag(repo.path, "v0.1.0", "First release", { device, key });
  expect((await git(["rev-parse", "v0.1.0"])).stdout).toBe(tag);
  const verified = await git(["verify-tag", "--raw", "v0.1.0"]);
  expect(verified.exitCode).toBe(0);
  expect(verified.stderr).toContain(`VALIDSIG ${hexUpper(fingerprint(key.primary))}`);
  await expect(signedTag(repo.path, "v0.1.0", "again", { device, key })).rejects.toThrow();
});

test("git verify-commit rejects a commit whose message was changed after signing", async () => {
  const raw = (await git(["cat-file", "commit", "HEAD"])).stdout + "\n";
  const forged = raw.replace("Route through Tor", "Route around Tor");
  const oid = (await git(["hash-object", "-t", "commit", "-w", "--stdin"], forged)).stdout.trim();
  const verified = await git(["verify-commit", "--raw", oid]);
  expect(verified.exitCode).not.toBe(0);
  expect(verified.stderr).toContain("BADSIG");
});
