import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { findEngine, homeLayout, openStack } from "../../engine";
import { splitImageFingerprint } from "../lxd/client/images";
import { removeLeftovers } from "../testing/lxd/lxdLeftovers";
import { ClientCertificate, makeClientCertificate } from "../testing/lxd/testCertificate";
import { TestImage, testImage } from "../testing/lxd/testImage";
import { DaemonObjects, SecondDaemon, daemonObjects, lxcQuery, makeSshKey, startSecondDaemon, stopSecondDaemon } from "../testing/secondDaemon";

// The two-endpoint acceptance: one Pulumi program, two LXD daemons on this machine. The
// local daemon (LxdEndpoint mode "local", its unix socket) and a second daemon in its own
// network and mount namespace (scripts/host/lxd-second-daemon.sh) that LxdEndpoint
// bootstraps for real over SSH (an sshd inside that namespace): install check, preseed,
// trust of the controller's certificate, then HTTPS with the pinned server certificate.
// On each: the image, a bridge, a profile and a system container.
describe("an LXD cluster of two endpoints through the engine", () => {
    const prefix = `bc${process.pid % 100000}`;
    const daemonName = "cl";
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-cluster-it-"));
    const home = path.join(work, "home");
    const programDir = path.join(__dirname, "..", "testing", "programs", "twoEndpoints");
    const subnets = [`10.251.${process.pid % 250}.1/24`, `10.252.${process.pid % 250}.1/24`];
    const containers = [`${prefix}-bcm-test-01`, `${prefix}-bcm-test-02`];
    let daemon: SecondDaemon;
    let stack: Stack | undefined;
    let image: TestImage;
    let fingerprint: string;
    let imageWasLocal: boolean;
    let cert: ClientCertificate;
    let sshKey: { privateKeyPath: string; publicKeyPath: string };
    let before: { local: DaemonObjects; second: DaemonObjects };
    let destroyed = false;
    const timings: string[] = [];

    const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
        const t0 = Date.now();
        try {
            return await f();
        } finally {
            timings.push(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        }
    };

    beforeAll(async () => {
        stopSecondDaemon(daemonName); // leftovers of a killed run
        await removeLeftovers(prefix);
        image = testImage();
        process.stderr.write(`test image: ${image.source}\n`);
        fingerprint = await splitImageFingerprint(image);
        imageWasLocal = daemonObjects().images.includes(fingerprint);
        sshKey = makeSshKey(work);
        cert = makeClientCertificate(work, `${prefix}-controller`);
        daemon = await timed("second daemon start", async () =>
            startSecondDaemon({ name: daemonName, address: "10.77.0.2/24", bridgeAddress: "10.78.0.1/24", sshAuthorizedKeys: sshKey.publicKeyPath }),
        );
        before = { local: daemonObjects(), second: daemonObjects(daemon.lxdDir) };

        fs.mkdirSync(home);
        stack = await openStack({ workDir: programDir, stackName: prefix, passphrase: "cluster-test-passphrase", home, engine: await findEngine() });
        await stack.setAllConfig({
            prefix: { value: prefix },
            image: { value: JSON.stringify({ metadataPath: image.metadataPath, rootfsPath: image.rootfsPath }) },
            subnets: { value: JSON.stringify(subnets) },
            second: {
                value: JSON.stringify({
                    host: daemon.ssh!.host,
                    port: daemon.ssh!.port,
                    hostKey: daemon.ssh!.hostKey,
                    privateKeyPath: sshKey.privateKeyPath,
                    lxdDir: daemon.lxdDir,
                    bridgeIpv4: "10.78.0.1/24",
                    clientCertificatePath: cert.certPath,
                    clientKeyPath: cert.keyPath,
                    trustName: `${prefix}-controller`,
                }),
            },
        });
    });

    afterAll(async () => {
        if (stack && !destroyed) {
            await stack.destroy().catch((e) => process.stderr.write(`destroy failed: ${e}\n`));
        }
        const left = await removeLeftovers(prefix, imageWasLocal ? [] : [fingerprint]).catch((e) => [`sweep failed: ${e}`]);
        if (left.length > 0) process.stderr.write(`swept up on the local daemon: ${left.join(", ")}\n`);
        await stack?.workspace.removeStack(prefix).catch(() => undefined);
        process.stderr.write(stopSecondDaemon(daemonName));
        fs.rmSync(work, { recursive: true, force: true });
        process.stderr.write(`timings: ${timings.join("; ")}\n`);
    });

    const secondLxc = (...args: string[]) =>
        execFileSync("lxc", args, { encoding: "utf8", env: { ...process.env, LXD_DIR: daemon.lxdDir } });
    const instanceState = (lxdDir: string | undefined, name: string) =>
        lxcQuery<{ status: string; network: Record<string, { addresses: { family: string; address: string; scope: string }[] }> }>(
            lxdDir,
            `/1.0/instances/${name}/state`,
        );
    const ipv4 = (s: ReturnType<typeof instanceState>) =>
        s.network.eth0?.addresses.find((a) => a.family === "inet" && a.scope === "global")?.address;
    const inSubnet = (address: string | undefined, subnet: string) => !!address && address.startsWith(subnet.replace(/\.1\/24$/, "."));

    it("goes up: the second host is bootstrapped over SSH, and each endpoint gets its image, bridge, profile and running container", async () => {
        const up = await timed("first up", () => stack!.up());
        expect(up.summary.resourceChanges).toEqual({ create: 15 }); // stack, cluster, 2 endpoints, 3 commands, 2 × 4 LXD objects
        const out = up.outputs.endpoints.value;
        expect(out.local).toMatchObject({ url: "unix:///var/lib/lxd/unix.socket", storageDriver: "dir", instance: containers[0], status: "Running" });
        expect(out.second).toMatchObject({
            url: "https://10.77.0.2:8443",
            serverFingerprint: daemon.fingerprint,
            storageDriver: "dir", // the script's dir pool existed: a pool keeps its driver
            instance: containers[1],
            status: "Running",
            uploaded: true,
        });
        expect(out.local.image).toBe(fingerprint);
        expect(out.second.image).toBe(fingerprint);

        const local = instanceState(undefined, containers[0]);
        const second = instanceState(daemon.lxdDir, containers[1]);
        expect([local.status, second.status]).toEqual(["Running", "Running"]);
        expect(inSubnet(ipv4(local), subnets[0])).toBe(true);
        expect(inSubnet(ipv4(second), subnets[1])).toBe(true);
        // Both run under the docker-host profile: unprivileged, nesting on, limits applied.
        for (const [lxdDir, name] of [[undefined, containers[0]], [daemon.lxdDir, containers[1]]] as const) {
            const expanded = lxcQuery<{ expanded_config: Record<string, string> }>(lxdDir, `/1.0/instances/${name}`).expanded_config;
            expect(expanded).toMatchObject({ "security.privileged": "false", "security.nesting": "true", "limits.memory": "512MiB" });
        }
        expect(out.local.ipv4Address).toBe(ipv4(local));
        expect(out.second.ipv4Address).toBe(ipv4(second));
        // The controller's certificate is trusted on the second daemon (added over SSH) ...
        expect(daemonObjects(daemon.lxdDir).certificates).toContain(`${prefix}-controller ${cert.fingerprint.slice(0, 12)}`);
        // ... and nothing secret is stored in clear: not the SSH key, not the client key.
        const stateText = stateFiles(home).map((f) => fs.readFileSync(f, "utf8")).join("\n");
        expect(stateText).not.toContain(fs.readFileSync(sshKey.privateKeyPath, "utf8").split("\n")[1]);
        expect(stateText).not.toContain(cert.key.split("\n")[1]);
    });

    it("has nothing to do on a second up", async () => {
        const again = await timed("second up", () => stack!.up());
        expect(again.summary.resourceChanges).toEqual({ same: 15 });
    });

    it("sees an instance deleted behind its back on the second daemon, and recreates it", async () => {
        secondLxc("delete", "--force", containers[1]);
        const refresh = await timed("refresh", () => stack!.refresh());
        expect(refresh.summary.resourceChanges).toEqual({ same: 14, delete: 1 });
        const up = await timed("up after drift", () => stack!.up());
        expect(up.summary.resourceChanges).toEqual({ same: 14, create: 1 });
        const second = instanceState(daemon.lxdDir, containers[1]);
        expect(second.status).toBe("Running");
        expect(inSubnet(ipv4(second), subnets[1])).toBe(true);
        expect(up.outputs.endpoints.value.second.ipv4Address).toBe(ipv4(second));
    });

    it("destroys everything: both daemons are left as they were", async () => {
        const down = await timed("destroy", () => stack!.destroy());
        destroyed = true;
        expect(down.summary.resourceChanges).toEqual({ delete: 15 });
        // The second daemon is ours alone: exactly as before, including its trust store.
        expect(daemonObjects(daemon.lxdDir)).toEqual(before.second);
        // Other people's tests use the local daemon meanwhile: nothing of ours is left, and
        // nothing that was there before is gone (the image only if it was there before).
        const after = daemonObjects();
        for (const kind of ["instances", "profiles", "networks", "certificates"] as const) {
            expect(after[kind].filter((n) => n.startsWith(prefix))).toEqual([]);
        }
        expect(after.profiles).toEqual(expect.arrayContaining(before.local.profiles.filter((n) => !n.startsWith("bt"))));
        expect(after.networks).toEqual(expect.arrayContaining(before.local.networks.filter((n) => !n.startsWith("bt"))));
        expect(after.images.includes(fingerprint)).toBe(imageWasLocal);
    });
});

/** The plain files of a BCM home's file backend. */
function stateFiles(home: string): string[] {
    const files: string[] = [];
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else files.push(p);
        }
    };
    walk(homeLayout(home).stateDir);
    return files;
}
