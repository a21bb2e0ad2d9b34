// `bcm git commit|tag` end to end with the software device from the environment:
// git verify-commit / verify-tag accept the result.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import * as commands from "./deviceCommands";
import { makeTempDir } from "../../device/testing/tempDir";
import { GnupgHome, makeGnupgHome } from "../../device/testing/gnupgHome";

const MNEMONIC12 = "alcohol woman abuse must during monitor noble actual mixed trade anger aisle";
const dir = makeTempDir("git-commands");
const repo = join(dir.path, "repo");
let home: GnupgHome;
const env = {
  BCM_DEVICE: "mnemonic",
  BCM_MNEMONIC_FILE: join(dir.path, "mnemonic"),
  BCM_GPG_USER_ID: "BCM Release <release@bcm.example>",
  BCM_GPG_CURVE: "ed25519",
};
const git = (args: string[]) => execa("git", ["-C", repo, ...args], { env: { GNUPGHOME: home.path }, reject: false });

beforeAll(async () => {
  home = makeGnupgHome();
  writeFileSync(join(home.path, "gpg.conf"), "trust-model always\n");
  writeFileSync(env.BCM_MNEMONIC_FILE, MNEMONIC12, { mode: 0o600 });
  expect((await home.gpg(["--import"], await commands.gpgPubkey({}, { env }))).exitCode).toBe(0);
  await execa("git", ["init", "-q", repo]);
  await git(["config", "user.name", "BCM Release"]);
  await git(["config", "user.email", "release@bcm.example"]);
});

afterAll(async () => {
  await home.remove();
  dir.remove();
});

test("bcm git commit and bcm git tag produce objects git verifies", async () => {
  writeFileSync(join(repo, "README"), "hello\n");
  await git(["add", "README"]);
  const commit = (await commands.gitCommit({ message: "Initial commit" }, { env, cwd: repo })).trim();
  expect((await git(["verify-commit", commit])).exitCode).toBe(0);
  const tag = (await commands.gitTag({ name: "v1", message: "v1" }, { env, cwd: repo })).trim();
  expect((await git(["verify-tag", tag])).exitCode).toBe(0);
  expect((await git(["rev-parse", "v1^{commit}"])).stdout).toBe(commit);
});
