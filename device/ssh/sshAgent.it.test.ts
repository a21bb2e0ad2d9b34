// Interop with real OpenSSH: ssh-add and ssh-keygen read our agent and keys, and an
// sshd on 127.0.0.1 (temporary config, high port) accepts logins signed through it.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { execa, ResultPromise } from "execa";
import { MnemonicDevice } from "../mnemonicDevice";
import { TEST_MNEMONIC } from "../testing/testMnemonic";
import { makeTempDir } from "../testing/tempDir";
import { freeLoopbackPort } from "../testing/freePort";
import { sshIdentity, sshPublicKey, SshPublicKey } from "./sshIdentity";
import { RunningSshAgent, startSshAgent } from "./sshAgentServer";

const user = userInfo().username;
const device = new MnemonicDevice(TEST_MNEMONIC);
const dir = makeTempDir("sshd");
const authorized = [sshIdentity(`${user}@127.0.0.1`, "nist256p1"), sshIdentity(`${user}@127.0.0.1`, "ed25519")];
const unauthorized = sshIdentity(`${user}@elsewhere.example`, "nist256p1");

let agent: RunningSshAgent;
let sshd: ResultPromise;
let sshdLog = "";
let port: number;
const keys: SshPublicKey[] = [];

beforeAll(async () => {
  for (const id of [...authorized, unauthorized]) keys.push(await sshPublicKey(device, id));
  agent = await startSshAgent(device, [...authorized, unauthorized]);

  await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir.path, "host_key")]);
  writeFileSync(join(dir.path, "authorized_keys"), keys.slice(0, 2).map((k) => k.line + "\n").join(""));
  keys.forEach((k, i) => writeFileSync(join(dir.path, `key${i}.pub`), k.line + "\n"));
  port = await freeLoopbackPort();
  writeFileSync(
    join(dir.path, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir.path, "host_key")}`,
      `AuthorizedKeysFile ${join(dir.path, "authorized_keys")}`,
      `PidFile ${join(dir.path, "sshd.pid")}`,
      "AuthenticationMethods publickey",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "StrictModes no", // the temp dir's owner/modes are not sshd's business here
      "UsePAM no",
      "LogLevel VERBOSE",
    ].join("\n") + "\n",
  );
  // sshd insists on its privilege-separation directory; creating it needs root, which
  // CI has. Elsewhere it may already exist, and sshd's own message says what is missing.
  try {
    mkdirSync("/run/sshd", { recursive: true });
  } catch {
    /* reported by sshd below if it matters */
  }
  sshd = execa("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir.path, "sshd_config")], { reject: false });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start:\n${sshdLog}`)), 15000);
    sshd.stderr!.on("data", (chunk: Buffer) => {
      sshdLog += chunk.toString();
      if (sshdLog.includes("Server listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}, 60000);

afterAll(async () => {
  sshd?.kill();
  await sshd?.catch(() => undefined);
  await agent?.close();
  dir.remove();
});

function ssh(keyIndex: number) {
  return execa(
    "ssh",
    [
      "-F", "/dev/null",
      "-p", String(port),
      "-o", `IdentityAgent=${agent.socketPath}`,
      "-o", "IdentitiesOnly=yes",
      "-i", join(dir.path, `key${keyIndex}.pub`), // a public key file: ssh asks the agent to sign
      "-o", "StrictHostKeyChecking=no",
      "-o", `UserKnownHostsFile=${join(dir.path, "known_hosts")}`,
      "-o", "BatchMode=yes",
      `${user}@127.0.0.1`,
      "echo logged-in-as-$(id -un)",
    ],
    { reject: false, timeout: 30000 },
  );
}

test("ssh-add -L lists exactly our public key lines", async () => {
  const { stdout } = await execa("ssh-add", ["-L"], { env: agent.environment });
  expect(stdout.split("\n")).toEqual(keys.map((k) => k.line));
});

test("ssh-keygen -l reads each key and agrees on its SHA256 fingerprint", async () => {
  for (const [i, key] of keys.entries()) {
    const { stdout } = await execa("ssh-keygen", ["-l", "-f", join(dir.path, `key${i}.pub`)]);
    const fingerprint = "SHA256:" + createHash("sha256").update(key.blob).digest("base64").replace(/=+$/, "");
    expect(stdout).toContain(fingerprint);
    expect(stdout).toContain(key.identity.label);
    expect(stdout).toMatch(key.identity.curve === "ed25519" ? /\(ED25519\)$/ : /^256 .*\(ECDSA\)$/);
  }
});

test.each([0, 1])("sshd accepts a login signed through the agent (key %i)", async (i) => {
  const result = await ssh(i);
  expect(result.stdout).toBe(`logged-in-as-${user}`);
  expect(result.exitCode).toBe(0);
  const fingerprint = "SHA256:" + createHash("sha256").update(keys[i].blob).digest("base64").replace(/=+$/, "");
  expect(sshdLog).toContain(fingerprint);
  expect(sshdLog).toMatch(/Accepted publickey for/);
}, 60000);

test("sshd refuses a key of ours that is not in authorized_keys", async () => {
  const result = await ssh(2);
  expect(result.exitCode).toBe(255);
  expect(result.stdout).toBe("");
}, 60000);
