import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { execa, ResultPromise } from "execa";
import { repoRoot } from "../../engine";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";

// `bcm cluster create --ssh` pins the host's key against a real OpenSSH sshd on loopback: an
// unknown key and a changed one are refused before any engine starts, with the fingerprint
// the host offered (as OpenSSH's ssh-keygen computes it) in the one-line message.
describe("bcm cluster create --ssh: pinned host keys (real sshd)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-hostkey-"));
    const home = path.join(dir, "home");
    const mnemonicFile = path.join(dir, "mnemonic");
    let sshd: ResultPromise | undefined;
    let port: number;
    let hostKey: string;
    let fingerprint: string;
    const bcm = (...args: string[]) =>
        execa("npx", ["--no-install", "bcm", ...args], {
            cwd: repoRoot,
            reject: false,
            stdin: "ignore",
            env: { BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: mnemonicFile, BCM_HOME: home },
        });

    beforeAll(async () => {
        fs.writeFileSync(mnemonicFile, TEST_MNEMONIC + "\n", { mode: 0o600 });
        await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "host_key")]);
        hostKey = fs.readFileSync(path.join(dir, "host_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
        fingerprint = (await execa("ssh-keygen", ["-lf", path.join(dir, "host_key.pub")])).stdout.split(" ")[1];
        port = await new Promise<number>((resolve) => {
            const s = net.createServer().listen(0, "127.0.0.1", () => {
                const p = (s.address() as net.AddressInfo).port;
                s.close(() => resolve(p));
            });
        });
        fs.mkdirSync("/run/sshd", { recursive: true });
        fs.writeFileSync(
            path.join(dir, "sshd_config"),
            [`Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${path.join(dir, "host_key")}`, `PidFile ${path.join(dir, "sshd.pid")}`, "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", ""].join("\n"),
        );
        sshd = execa("/usr/sbin/sshd", ["-D", "-e", "-f", path.join(dir, "sshd_config")], { reject: false });
        for (let i = 0; i < 50; i++) {
            const r = await execa("ssh-keyscan", ["-T", "2", "-p", String(port), "127.0.0.1"], { reject: false });
            if (r.stdout.includes("ssh-ed25519")) return;
            await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error("sshd did not start");
    }, 60_000);

    afterAll(async () => {
        sshd?.kill();
        await sshd;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("refuses a host whose key is in no known_hosts, naming the key the host offers", async () => {
        const empty = path.join(dir, "known_hosts_empty");
        fs.writeFileSync(empty, "");
        const r = await bcm("cluster", "create", "pin", "--ssh", `root@127.0.0.1:${port}`, "--known-hosts", empty);
        expect(r.exitCode).toBe(1);
        expect(r.stderr.trim().split("\n").pop()).toBe(
            `bcm: --ssh root@127.0.0.1:${port}: unknown host key: the host offers ${fingerprint} (ssh-ed25519); check that fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and pass it with --host-key "<type> <base64>" or add it to ${empty}`,
        );
        expect(fs.existsSync(path.join(home, "state"))).toBe(false); // no engine ran
    }, 60_000);

    it("refuses a changed key (--host-key or known_hosts), naming both fingerprints", async () => {
        await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "other")]);
        const other = fs.readFileSync(path.join(dir, "other.pub"), "utf8").trim();
        const otherFp = (await execa("ssh-keygen", ["-lf", path.join(dir, "other.pub")])).stdout.split(" ")[1];
        const given = await bcm("cluster", "create", "pin", "--ssh", `root@127.0.0.1:${port}`, "--host-key", other);
        expect(given.exitCode).toBe(1);
        expect(given.stderr).toContain(`HOST KEY CHANGED: the host offers ${fingerprint} (ssh-ed25519) but --host-key pins ${otherFp} (ssh-ed25519)`);
        const knownHosts = path.join(dir, "known_hosts");
        fs.writeFileSync(knownHosts, `[127.0.0.1]:${port} ${other}\n`);
        const known = await bcm("cluster", "create", "pin", "--ssh", `root@127.0.0.1:${port}`, "--known-hosts", knownHosts);
        expect(known.exitCode).toBe(1);
        expect(known.stderr).toContain(`HOST KEY CHANGED: the host offers ${fingerprint} (ssh-ed25519) but ${knownHosts} pins ${otherFp}`);
    }, 60_000);

    it("accepts the pinned key from known_hosts and goes on (to the next step: the client certificate it needs)", async () => {
        const knownHosts = path.join(dir, "known_hosts_ok");
        fs.writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`);
        const r = await bcm("cluster", "create", "pin", "--ssh", `root@127.0.0.1:${port}`, "--known-hosts", knownHosts, "--client-cert", "/nonexistent/c", "--client-key", "/nonexistent/k");
        // Past the key check: the stack is created, and the program names the missing certificate file.
        expect(r.stderr).not.toMatch(/host key/i);
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toContain("bcm:endpoints[0].clientCertificatePath: cannot read /nonexistent/c");
    }, 5 * 60_000);
});
