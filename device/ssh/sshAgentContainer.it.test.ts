// Interop with a real remote sshd: an unprivileged LXD container from the bcm-base image runs
// Debian's openssh-server with our public keys in ~satoshi/.ssh/authorized_keys, and the host's
// ssh client logs in through our agent. sshd's own log names the key it accepted, and that
// fingerprint must be the one ssh-keygen -l gives for our key line.
// Needs root, LXD with lxdbr0 (NAT) and a built bcm-base image (images/build.sh bcm-base);
// the container fetches openssh-server from the Debian mirror.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { MnemonicDevice } from "../mnemonicDevice";
import { TEST_MNEMONIC } from "../testing/testMnemonic";
import { makeTempDir } from "../testing/tempDir";
import { SshCurve, SshIdentity, sshIdentity, sshPublicKey, SshPublicKey } from "./sshIdentity";
import { RunningSshAgent, startSshAgent } from "./sshAgentServer";

const device = new MnemonicDevice(TEST_MNEMONIC);
const dir = makeTempDir("sshtest");
const name = `bcm-sshtest-${process.pid}`; // the container and the temporary image alias
const user = "satoshi";

/** What the test added to LXD, so that afterAll removes exactly that. */
const created = { container: false, alias: false, image: "" };
let ip: string;
const keys = {} as Record<SshCurve | "unauthorized", SshPublicKey>;
const agents: RunningSshAgent[] = [];

type RunOptions = { reject?: boolean; timeout?: number };

function lxc(args: string[], options: RunOptions = {}) {
  // stdin must not be an open pipe: `lxc launch` then waits to read instance config (YAML) from it.
  return execa("lxc", args, { stdin: "ignore", timeout: 120000, ...options });
}

/** A command in the container, as root. */
function inContainer(command: string[], options: RunOptions = {}) {
  return lxc(["exec", name, "--env", "DEBIAN_FRONTEND=noninteractive", "--", ...command], options);
}

/** The bcm-base image in LXD under our alias: imported, or (when already there) aliased. */
async function provideImage(): Promise<void> {
  const { stdout } = await execa("bash", ["images/build.sh", "--print", "bcm-base"], { cwd: join(__dirname, "../..") });
  const imageDir = stdout.trim().split("\n").pop()!;
  const fingerprint = readFileSync(join(imageDir, "fingerprint"), "utf8").trim();
  const present = async () => (await lxc(["image", "info", fingerprint], { reject: false })).exitCode === 0;
  if (!(await present())) {
    const imported = await lxc(["image", "import", join(imageDir, "metadata.tar.gz"), join(imageDir, "rootfs.tar.gz"), "--alias", name], {
      reject: false,
    });
    if (imported.exitCode === 0) {
      created.image = fingerprint;
      return;
    }
    if (!(await present())) throw new Error(`lxc image import failed: ${imported.stderr}`);
    // Someone else imported it meanwhile: theirs to keep, ours to alias.
  }
  await lxc(["image", "alias", "create", name, fingerprint]);
  created.alias = true;
}

async function waitForIpv4(): Promise<string> {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    const state = JSON.parse((await lxc(["query", `/1.0/instances/${name}/state`])).stdout);
    const address = state.network?.eth0?.addresses?.find((a: { family: string; scope: string }) => a.family === "inet" && a.scope === "global");
    if (address) return address.address;
    await sleep(500);
  }
  throw new Error(`${name}: no IPv4 address on eth0 within 60 s`);
}

/** bcm-base ships empty package lists; one retry covers a mirror or DNS hiccup right after boot. */
async function installOpenSshServer(): Promise<void> {
  const script = "apt-get -q -o Acquire::Retries=3 update && apt-get -q -y --no-install-recommends install openssh-server";
  const first = await inContainer(["sh", "-c", script], { reject: false, timeout: 150000 });
  if (first.exitCode === 0) return;
  await sleep(5000);
  const second = await inContainer(["sh", "-c", script], { reject: false, timeout: 150000 });
  if (second.exitCode !== 0) {
    throw new Error(`installing openssh-server failed twice:\n--- first\n${first.stderr}\n--- second\n${second.stderr}`);
  }
}

beforeAll(async () => {
  await provideImage();
  created.container = true; // before launching: a launch that fails half-way still leaves a container
  await lxc(["launch", name, name, "-c", "security.privileged=false"]);
  ip = await waitForIpv4();

  // Identities exactly as `trezor-agent satoshi@<ip>` would make them.
  const identities: Record<keyof typeof keys, SshIdentity> = {
    nist256p1: sshIdentity(`${user}@${ip}`, "nist256p1"),
    ed25519: sshIdentity(`${user}@${ip}`, "ed25519"),
    unauthorized: sshIdentity(`${user}@elsewhere.example`, "nist256p1"),
  };
  for (const [k, identity] of Object.entries(identities)) {
    keys[k as keyof typeof keys] = await sshPublicKey(device, identity);
    writeFileSync(join(dir.path, `${k}.pub`), keys[k as keyof typeof keys].line + "\n");
  }

  await installOpenSshServer();
  await inContainer(["useradd", "--create-home", "--shell", "/bin/sh", user]);
  await inContainer(["install", "-d", "-m", "700", "-o", user, "-g", user, `/home/${user}/.ssh`]);
  writeFileSync(join(dir.path, "authorized_keys"), `${keys.nist256p1.line}\n${keys.ed25519.line}\n`);
  const uid = (await inContainer(["id", "-u", user])).stdout.trim();
  const gid = (await inContainer(["id", "-g", user])).stdout.trim();
  const pushTo = `${name}/home/${user}/.ssh/authorized_keys`;
  await lxc(["file", "push", join(dir.path, "authorized_keys"), pushTo, "--uid", uid, "--gid", gid, "--mode", "0600"]);
  writeFileSync(join(dir.path, "bcm-test.conf"), "PasswordAuthentication no\nKbdInteractiveAuthentication no\n");
  await lxc(["file", "push", join(dir.path, "bcm-test.conf"), `${name}/etc/ssh/sshd_config.d/bcm-test.conf`]);
  await inContainer(["systemctl", "restart", "ssh.service"]);
  await inContainer(["systemctl", "is-active", "--quiet", "ssh.service"]);
}, 240000);

afterAll(async () => {
  // LXD first, whatever else fails; an image that was there before the test is never deleted.
  if (created.container) await lxc(["delete", "--force", name], { reject: false });
  if (created.image) await lxc(["image", "delete", created.image], { reject: false }); // its alias goes with it
  else if (created.alias) await lxc(["image", "alias", "delete", name], { reject: false });
  await Promise.allSettled(agents.map((agent) => agent.close()));
  dir.remove();
}, 60000);

/** Our agent holding exactly these keys, on a socket in the test's temp dir. */
async function agentWith(...which: (keyof typeof keys)[]): Promise<RunningSshAgent> {
  const agent = await startSshAgent(device, which.map((k) => keys[k].identity), { socketPath: join(dir.path, `agent-${agents.length}.sock`) });
  agents.push(agent);
  return agent;
}

function ssh(agent: RunningSshAgent) {
  return execa(
    "ssh",
    [
      "-F", "/dev/null",
      "-o", "IdentitiesOnly=no",
      "-o", "IdentityFile=none", // only the agent's keys, whatever is in ~/.ssh
      "-o", "StrictHostKeyChecking=accept-new",
      "-o", `UserKnownHostsFile=${join(dir.path, "known_hosts")}`,
      "-o", "BatchMode=yes",
      "-o", "ConnectTimeout=15",
      `${user}@${ip}`,
      "echo", "ok",
    ],
    { env: agent.environment, reject: false, timeout: 60000 },
  );
}

/** sshd's "Accepted publickey for ..." lines so far, oldest first. */
async function acceptedLogins(): Promise<string[]> {
  const { stdout } = await inContainer(["journalctl", "--unit", "ssh.service", "--no-pager", "--output", "cat"]);
  return stdout.split("\n").filter((line) => line.startsWith("Accepted publickey for "));
}

/** The accepted login logged after `before` lines (journald may take a moment to have it). */
async function nextAcceptedLogin(before: number): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const lines = await acceptedLogins();
    if (lines.length > before) return lines[before];
    await sleep(250);
  }
  throw new Error("sshd logged no accepted login");
}

async function keygenFingerprint(which: keyof typeof keys): Promise<string> {
  const { stdout } = await execa("ssh-keygen", ["-l", "-f", join(dir.path, `${which}.pub`)]);
  // "256 SHA256:... <ssh://satoshi@10.218.0.x|nist256p1> (ECDSA)"
  const [bits, fingerprint] = stdout.split(" ");
  expect(bits).toBe("256");
  expect(stdout.endsWith(`${keys[which].identity.label} (${which === "ed25519" ? "ED25519" : "ECDSA"})`)).toBe(true);
  return fingerprint;
}

test.each(["nist256p1", "ed25519"] as const)("sshd in the container accepts our %s key through the agent", async (curve) => {
  const before = (await acceptedLogins()).length;
  const result = await ssh(await agentWith(curve));
  expect(result.stderr).not.toMatch(/Permission denied/);
  expect(result.stdout).toBe("ok");
  expect(result.exitCode).toBe(0);

  const logged = await nextAcceptedLogin(before);
  const type = curve === "ed25519" ? "ED25519" : "ECDSA";
  expect(logged).toMatch(new RegExp(`^Accepted publickey for ${user} from \\S+ port \\d+ ssh2: ${type} SHA256:\\S+$`));
  expect(logged.split(" ").pop()).toBe(await keygenFingerprint(curve));
}, 60000);

test("with both keys in the agent, the login works", async () => {
  const result = await ssh(await agentWith("nist256p1", "ed25519"));
  expect(result.stdout).toBe("ok");
  expect(result.exitCode).toBe(0);
}, 60000);

test("sshd refuses a key of ours that is not in authorized_keys", async () => {
  const before = await acceptedLogins();
  const result = await ssh(await agentWith("unauthorized"));
  expect(result.exitCode).toBe(255);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/Permission denied \(publickey\)/);
  await sleep(500);
  expect(await acceptedLogins()).toEqual(before);
}, 60000);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
