import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { openStack, repoRoot } from "../../engine";
import { clusterWorkDir } from "../../automation/cluster/workdir";
import { bytesToHex } from "../../device/bytes";
import { MnemonicDevice } from "../../device";
import { deriveLndSecrets, lndSecret } from "../../device/lndSecret";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";
import { isEngineProcess, parseExecTrace, secretLeaks } from "../testing/execTrace";
import { taskTexts } from "../testing/support";

// Secrets off command lines, proven on one full deploy of all three tiers: every process the
// deploy starts is recorded, on the controller (strace -f over the deploy) and in the system
// containers (strace -f attached to the LXD daemon, which starts every container and every exec
// in one), each execve with its whole argv and environment. The swarm join token, the registry's
// push password, the RPC password and the stack passphrase must be on no command line, in no
// environment of a long-lived process but the engine's, in no log and in no LXD or Docker
// object's config. Holds /tmp/bcm-datacenter.lock through its runner (one data center per daemon).
// --seccomp-bpf (only execve stops the traced processes) works for a program strace starts, not for one it attaches to.
// -I2: strace given -o FILE and a program blocks fatal signals by default (-I3), and the test
// ends the trace with SIGINT once the deploy has written its result.
const straceArgs = (out: string, attach = false) => ["-f", ...(attach ? [] : ["--seccomp-bpf"]), "-I2", "-tt", "-v", "-s", "65536", "-e", "trace=execve", "-o", out];

describe("secrets off command lines: a complete trace of one full deploy", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-trace-"));
    const stackName = `tr${process.pid}`;
    const passphrase = `trace-${process.pid}-${Date.now()}-passphrase`;
    const files = { controller: path.join(home, "controller.trace"), lxd: path.join(home, "lxd.trace"), config: path.join(home, "config.json"), outputs: path.join(home, "outputs.json"), result: path.join(home, "result") };
    let lxdTrace: ChildProcess | undefined;

    beforeAll(async () => {
        const existing = await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-"], { stdin: "ignore" });
        if (existing.stdout.trim() !== "") throw new Error(`system containers already exist on this LXD (${existing.stdout.trim()}): destroy that data center first`);
        fs.writeFileSync(
            files.config,
            JSON.stringify({
                "bcm:endpoints": JSON.stringify([{ name: "local", mode: "local" }]),
                "bcm:tiers": JSON.stringify({ gateway: {}, kafka: {}, bitcoin: {} }),
                "bcm:tor": JSON.stringify({ network: "offline" }),
                "bcm:chain": "regtest",
                "bcm:dockerSocketDir": path.join(home, "sock"),
            }),
        );
    });

    afterAll(async () => {
        lxdTrace?.kill("SIGINT");
        const stack = await openStack({ workDir: clusterWorkDir(home), stackName, passphrase, home }).catch(() => undefined);
        await stack?.destroy().catch(() => undefined);
        await stack?.workspace.removeStack(stackName).catch(() => undefined);
        fs.rmSync(home, { recursive: true, force: true });
    }, 15 * 60_000);

    it("deploys under the trace, and no secret is on a command line, in a long-lived environment, a log or an object's config", async () => {
        const lxdPid = (await execa("pidof", ["lxd"])).stdout.trim().split(/\s+/)[0];
        // Attached to the LXD daemon, strace follows every container it starts (liblxc, /sbin/init,
        // systemd and its services, dockerd and what it runs) and every exec through its API (checked by hand:
        // a container's init, its systemd generators and an `lxc exec`'s argv and environment are all in such a trace).
        lxdTrace = spawn("strace", [...straceArgs(files.lxd, true), "-p", lxdPid], { stdio: "ignore" });
        await new Promise((r) => setTimeout(r, 2000));
        const deploy = execa("strace", [...straceArgs(files.controller), "--", "npx", "--no-install", "ts-node", "--transpile-only", path.join(repoRoot, "test", "testing", "traceDeploy.ts"), home, stackName, files.config, files.outputs, files.result], {
            cwd: repoRoot,
            input: passphrase + "\n",
            reject: false,
        });
        // strace -f would wait for the forwarder the deploy leaves running: once the deploy has
        // written its result, both traces are ended (SIGINT detaches; the traced go on).
        const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
        // Ended by a signal, a process has a signalCode and no exitCode.
        const traceEnded = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null;
        while (!fs.existsSync(files.result) && !traceEnded(deploy)) await sleep(1000);
        await sleep(2000);
        deploy.kill("SIGINT");
        lxdTrace.kill("SIGINT");
        const r = await deploy;
        await new Promise((res) => (traceEnded(lxdTrace!) ? res(undefined) : lxdTrace!.on("exit", res)));
        const result = fs.existsSync(files.result) ? fs.readFileSync(files.result, "utf8") : `no result; strace ended (${r.exitCode}): ${r.stderr.slice(-2000)}`;
        expect(result).toBe("ok");

        const outputs = JSON.parse(fs.readFileSync(files.outputs, "utf8"));
        const dc = outputs.dataCenter;
        const gw = (args: string[]) => execa("lxc", ["exec", "bcm-gateway-01", "--", ...args], { stdin: "ignore" });
        const lnd = await lndSecret(new MnemonicDevice(TEST_MNEMONIC), stackName, "regtest");
        const secrets: Record<string, string> = {
            passphrase,
            "registry push password": dc.registryPush.password,
            "RPC password": dc.workloads.bitcoin.rpcCredentials.password,
            "swarm worker token": (await gw(["docker", "swarm", "join-token", "-q", "worker"])).stdout.trim(),
            "swarm manager token": (await gw(["docker", "swarm", "join-token", "-q", "manager"])).stdout.trim(),
            // lnd's secret from the device and what lnd is given from it (the words' entropy only in the wallet file, a Swarm secret).
            "lnd device secret": bytesToHex(lnd),
            "lnd wallet password": deriveLndSecrets(lnd).walletPassword,
            "lnd macaroon root key": bytesToHex(deriveLndSecrets(lnd).macaroonRootKey),
        };
        for (const [k, v] of Object.entries(secrets)) expect({ k, long: v.length >= 16 }).toEqual({ k, long: true });

        // Every process the deploy started, on the controller and in the containers.
        const execs = [...parseExecTrace(fs.readFileSync(files.controller, "utf8")), ...parseExecTrace(fs.readFileSync(files.lxd, "utf8"))];
        expect(execs.length).toBeGreaterThan(500);
        // The trace saw the containers' side: dockerd started in them, and the swarm join ran in one.
        expect(execs.some((e) => e.path.endsWith("/dockerd"))).toBe(true);
        expect(execs.some((e) => e.argv.join(" ").includes("http://localhost/swarm/join"))).toBe(true);
        expect(secretLeaks(execs, secrets, { engine: isEngineProcess, longLived: 120 })).toEqual([]);

        // No LXD or Docker object's config, and no log, holds one.
        const containers = (await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-"])).stdout.split("\n").filter((n) => n !== "");
        const texts: Record<string, string> = {};
        for (const c of containers) texts[`lxc config ${c}`] = (await execa("lxc", ["config", "show", "--expanded", c])).stdout;
        texts["lxc profiles"] = (await execa("lxc", ["profile", "list", "--format", "yaml"])).stdout;
        const docker = (args: string[]) => execa("docker", ["-H", dc.dockerHost, ...args], { reject: false, stdin: "ignore" });
        const services = (await docker(["service", "ls", "-q"])).stdout.split("\n").filter((s) => s !== "");
        texts["docker services"] = (await docker(["service", "inspect", ...services])).stdout;
        // Every task's logs and inspect, read on its node.
        Object.assign(texts, await taskTexts(containers));
        const configs = (await docker(["config", "ls", "-q"])).stdout.split("\n").filter((s) => s !== "");
        texts["docker configs"] = (JSON.parse((await docker(["config", "inspect", ...configs])).stdout) as { Spec: { Data: string } }[]).map((c) => Buffer.from(c.Spec.Data, "base64").toString()).join("\n");
        texts["docker networks"] = (await docker(["network", "inspect", ...(await docker(["network", "ls", "-q"])).stdout.split("\n").filter((s) => s !== "")])).stdout;
        for (const dir of ["/var/log/lxd", "/var/lib/lxd/logs"]) {
            for (const f of fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : []) {
                texts[path.join(f.parentPath, f.name)] = fs.readFileSync(path.join(f.parentPath, f.name), "latin1");
            }
        }
        for (const c of containers) texts[`journal ${c}`] = (await execa("lxc", ["exec", c, "--", "journalctl", "--no-pager", "-o", "cat"], { reject: false, stdin: "ignore" })).stdout;
        const found = Object.entries(texts).flatMap(([where, text]) => Object.entries(secrets).filter(([, v]) => text.includes(v)).map(([name]) => `${name} in ${where}`));
        expect(found).toEqual([]);
    }, 60 * 60_000);
});
