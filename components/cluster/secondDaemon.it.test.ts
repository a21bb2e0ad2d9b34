import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LxdClient } from "../lxd/client/client";
import { makeClientCertificate } from "../testing/lxd/testCertificate";
import {
    SecondDaemon,
    daemonObjects,
    hostSnapshot,
    lxcQuery,
    makeSshKey,
    runScript,
    secondDaemonStatus,
    startSecondDaemon,
    stopSecondDaemon,
} from "../testing/secondDaemon";

// scripts/host/lxd-second-daemon.sh: a second LXD daemon in its own network and mount
// namespaces, its sshd, idempotent start, and a stop that leaves the host as it was.
describe("lxd-second-daemon.sh", () => {
    const name = "s1";
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-second-daemon-"));
    let before: Record<string, string[]>;
    let daemon: SecondDaemon;
    let key: { privateKeyPath: string; publicKeyPath: string };

    beforeAll(() => {
        stopSecondDaemon(name); // leftovers of a killed run
        before = hostSnapshot();
        key = makeSshKey(work);
    });
    afterAll(() => {
        stopSecondDaemon(name);
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("starts a daemon that answers on its namespace address and sees only its own network devices", async () => {
        const t0 = Date.now();
        daemon = startSecondDaemon({ name, address: "10.77.1.2/24", bridgeAddress: "10.78.1.1/24", sshAuthorizedKeys: key.publicKeyPath, sshPort: 2223 });
        process.stderr.write(`second daemon started in ${Date.now() - t0} ms\n`);
        expect(daemon).toMatchObject({
            name,
            lxdDir: "/var/lib/bcm-lxd-s1",
            netns: "bcm-lxd-s1",
            address: "10.77.1.2",
            hostAddress: "10.77.1.1",
            url: "https://10.77.1.2:8443",
            ssh: { host: "10.77.1.2", port: 2223 },
        });
        expect(daemon.fingerprint).toMatch(/^[0-9a-f]{64}$/);
        expect(daemon.ssh?.hostKey).toMatch(/^ssh-ed25519 AAAA/);

        // Its own sysfs: the host's eth0/docker0/lxdbr0 are not its devices, its own are.
        const networks = lxcQuery<{ name: string; managed: boolean }[]>(daemon.lxdDir, "/1.0/networks?recursion=1");
        expect(networks.map((n) => n.name)).toContain("lxdbr0");
        expect(networks.map((n) => n.name)).not.toContain("docker0");
        const bridge = lxcQuery<{ config: Record<string, string> }>(daemon.lxdDir, "/1.0/networks/lxdbr0");
        expect(bridge.config["ipv4.address"]).toBe("10.78.1.1/24");
        expect(lxcQuery<{ driver: string }>(daemon.lxdDir, "/1.0/storage-pools/default").driver).toBe("dir");
        // ... and the host's cgroups, bound back into its mount namespace.
        const pid = fs.readFileSync("/run/bcm-lxd-s1/lxd.pid", "utf8").trim();
        const cgroups = execFileSync("nsenter", ["-t", pid, "-m", "ls", "/sys/fs/cgroup"], { encoding: "utf8" });
        expect(cgroups).toMatch(/memory|cgroup\.controllers/);
        // Not trusted yet over HTTPS, but it answers there with the reported certificate.
        const cert = makeClientCertificate(work, "probe");
        const https = new LxdClient({ url: daemon.url, clientCertificate: cert.pem, clientKey: cert.key, serverFingerprint: daemon.fingerprint });
        await expect(https.connect()).rejects.toThrow(/does not trust it/);
        https.close();
    });

    it("runs an sshd inside the namespace that pins its host key and reaches the daemon's socket", () => {
        const knownHosts = path.join(work, "known_hosts");
        fs.writeFileSync(knownHosts, `[${daemon.ssh!.host}]:${daemon.ssh!.port} ${daemon.ssh!.hostKey}\n`);
        const out = execFileSync(
            "ssh",
            [
                "-i", key.privateKeyPath, "-p", String(daemon.ssh!.port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                "-o", `UserKnownHostsFile=${knownHosts}`, `root@${daemon.ssh!.host}`,
                `LXD_DIR=${daemon.lxdDir} lxc query /1.0 | grep -c '"auth": "trusted"'; ip -o -4 addr show eth0 | awk '{print $4}'`,
            ],
            { encoding: "utf8" },
        );
        expect(out.split("\n").filter(Boolean)).toEqual(["1", "10.77.1.2/24"]);
    });

    it("start again changes nothing", () => {
        const objects = daemonObjects(daemon.lxdDir);
        const again = runScript(["start", "--name", name, "--address", "10.77.1.2/24", "--bridge-address", "10.78.1.1/24",
            "--ssh-authorized-keys", key.publicKeyPath, "--ssh-port", "2223"]);
        expect(again.status).toBe(0);
        expect(again.stdout).toContain("already answering");
        expect(again.stdout).toContain("already initialised");
        expect(again.stdout).toContain("sshd: already running");
        expect(secondDaemonStatus(name)).toEqual(daemon);
        expect(daemonObjects(daemon.lxdDir)).toEqual(objects);
    });

    it("refuses an address whose subnet the host already uses", () => {
        const r = runScript(["start", "--name", "s9", "--address", "10.77.1.5/24"]);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("already in use on this host");
        expect(fs.existsSync("/var/lib/bcm-lxd-s9")).toBe(false);
    });

    it("stop removes the daemon, its namespace, veth, sshd and LXD_DIR: the host is as it was", () => {
        const out = stopSecondDaemon(name);
        expect(out).toContain("netns: deleted bcm-lxd-s1");
        expect(out).toContain("removed /var/lib/bcm-lxd-s1");
        expect(secondDaemonStatus(name)).toBeUndefined();
        expect(hostSnapshot()).toEqual(before);
        // A second stop has nothing to do.
        const again = runScript(["stop", "--name", name]);
        expect(again.status).toBe(0);
        expect(again.stdout).toBe("");
    });
});
