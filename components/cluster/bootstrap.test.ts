import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
    PreseedOptions,
    httpsAddress,
    httpsUrl,
    parseFacts,
    pemFingerprint,
    remoteCommand,
    renderInstallScript,
    renderPreseed,
    renderPreseedScript,
    renderStorageProbe,
    renderTrustScript,
    renderUntrustScript,
    shellQuote,
    validatePreseedOptions,
} from "./bootstrap";

/** Whether this kernel has btrfs (the probe reads /proc/filesystems; no stand-in for that). */
const hostHasBtrfs = /\bbtrfs\b/.test(fs.readFileSync("/proc/filesystems", "utf8"));

const options: PreseedOptions = {
    lxdDir: "/var/lib/lxd",
    httpsAddress: "10.0.0.5:8443",
    storagePool: "default",
    storageDriver: "auto",
    bridge: { name: "lxdbr0", ipv4Address: "10.0.3.1/24", ipv4Nat: true },
};

describe("the preseed", () => {
    it("sets the HTTPS address, the bridge and the default profile, with a pool entry only when it creates the pool", () => {
        const withPool = renderPreseed(options, "btrfs");
        expect(withPool).toContain('core.https_address: "10.0.0.5:8443"');
        expect(withPool).toMatch(/networks:\n  - name: "lxdbr0"\n    type: bridge\n/);
        expect(withPool).toContain('ipv4.address: "10.0.3.1/24"');
        expect(withPool).toContain('ipv4.nat: "true"');
        expect(withPool).toContain('ipv6.address: "none"');
        expect(withPool).toMatch(/root:\n        type: disk\n        path: \/\n        pool: "default"/);
        expect(withPool).toMatch(/eth0:\n        type: nic\n        name: eth0\n        network: "lxdbr0"/);
        expect(withPool).toMatch(/storage_pools:\n  - name: "default"\n    driver: btrfs\n/);
        expect(renderPreseed(options, "dir")).toMatch(/driver: dir/);
        expect(renderPreseed(options)).not.toContain("storage_pools");
    });

    it("leaves an automatic bridge address to LXD (sending auto again could renumber an existing bridge)", () => {
        const auto = renderPreseed({ ...options, bridge: { ...options.bridge, ipv4Address: "auto", ipv4Nat: false } });
        expect(auto).not.toContain("ipv4.address");
        expect(auto).toContain('ipv4.nat: "false"');
    });

    it("refuses options that would break the YAML or the script, naming each", () => {
        expect(() => validatePreseedOptions({ ...options, lxdDir: "relative/dir" })).toThrow(/lxdDir "relative\/dir" must be an absolute path/);
        expect(() => validatePreseedOptions({ ...options, httpsAddress: "10.0.0.5" })).toThrow(/must be host:port/);
        expect(() => validatePreseedOptions({ ...options, bridge: { ...options.bridge, name: "a-very-long-bridge-name" } })).toThrow(
            /at most 15 characters/,
        );
        expect(() => validatePreseedOptions({ ...options, bridge: { ...options.bridge, ipv4Address: "10.0.3.0" } })).toThrow(/like 10.0.3.1\/24/);
        expect(() => validatePreseedOptions({ ...options, storageDriver: "zfs" as never })).toThrow(/auto, btrfs or dir/);
        expect(() => validatePreseedOptions({ ...options, storagePool: "a b", lxdDir: "x" })).toThrow(/lxdDir .*; storagePool/);
        expect(httpsAddress("fd00::5", 8443)).toBe("[fd00::5]:8443");
        expect(httpsUrl("10.0.0.5", 8443)).toBe("https://10.0.0.5:8443");
        expect(() => validatePreseedOptions({ ...options, httpsAddress: httpsAddress("fd00::5", 8443) })).not.toThrow();
    });
});

describe("facts and quoting", () => {
    it("reads key=value lines, ignoring the rest", () => {
        expect(parseFacts("noise\nstorage_driver=btrfs\n  server_fingerprint=ab12 \nstorage_driver=dir\n")).toEqual({
            storage_driver: "dir",
            server_fingerprint: "ab12",
        });
    });

    it("quotes any string as one shell word", () => {
        for (const s of ["plain", "it's", "$(rm -rf /)", "a\nb", "'", ""]) {
            expect(execFileSync("bash", ["-c", `printf %s ${shellQuote(s)}`], { encoding: "utf8" })).toBe(s);
        }
        expect(remoteCommand("echo hi", true)).toBe("sudo -n bash -c 'echo hi'");
        expect(remoteCommand("echo hi", false)).toBe("bash -c 'echo hi'");
    });
});

// The scripts run for real with bash, against stand-ins for lxc, lxd, dpkg-query, apt-get
// and losetup that keep their state in files: what each script does on a fresh host and
// that a second run changes nothing.
describe("the bootstrap scripts (bash, with a stand-in LXD)", () => {
    let dir: string;
    let stubs: string;
    let state: string;
    let lxdDir: string;
    let socket: net.Server;
    const cert = makeCertificate();

    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-bootstrap-test-"));
        stubs = path.join(dir, "bin");
        lxdDir = path.join(dir, "lxd");
        fs.mkdirSync(stubs);
        fs.mkdirSync(lxdDir);
        socket = net.createServer();
        await new Promise<void>((resolve) => socket.listen(path.join(lxdDir, "unix.socket"), resolve));
        writeStubs(stubs);
    });
    afterAll(async () => {
        await new Promise<void>((resolve) => socket.close(() => resolve()));
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
        state = fs.mkdtempSync(path.join(dir, "state-"));
    });

    /** Runs a script as the SSH command would (bash -c '<script>'), returning status, stdout, stderr and the calls made. */
    function run(script: string) {
        const r = spawnSync("sh", ["-c", remoteCommand(script, false)], {
            encoding: "utf8",
            env: { PATH: `${stubs}:/usr/bin:/bin`, STUB_STATE: state },
        });
        const log = path.join(state, "calls");
        return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls: fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "" };
    }
    const flag = (name: string, content = "") => fs.writeFileSync(path.join(state, name), content);
    const opts = (o: Partial<PreseedOptions> = {}): PreseedOptions => ({ ...options, lxdDir, ...o });

    it("install: installs only the missing packages, then finds everything in place", () => {
        flag("missing-lxd");
        flag("missing-btrfs-progs");
        const first = run(renderInstallScript({ lxdDir, installPackages: true }));
        expect(first.status).toBe(0);
        expect(first.calls).toContain("apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 lxd btrfs-progs");
        expect(parseFacts(first.stdout)).toEqual({ installed: "lxd btrfs-progs", lxd_version: "5.0.2" });
        fs.rmSync(path.join(state, "calls"));
        const second = run(renderInstallScript({ lxdDir, installPackages: true }));
        expect(second.status).toBe(0);
        expect(second.calls.split("\n").filter((l) => l.startsWith("apt-get") || l.startsWith("lxd waitready"))).toEqual([]);
        expect(parseFacts(second.stdout)).toEqual({ lxd_version: "5.0.2" });
    });

    it("install: refreshes the package lists once when an install fails (stale lists), and reports a real failure", () => {
        flag("missing-lxd-client");
        flag("apt-stale");
        const r = run(renderInstallScript({ lxdDir, installPackages: true }));
        expect(r.status).toBe(0);
        expect(r.calls.split("\n").filter((l) => l.startsWith("apt-get")).map((l) => l.split(" ").slice(0, 4).join(" "))).toEqual([
            "apt-get install -y -q",
            "apt-get -q -o DPkg::Lock::Timeout=600",
            "apt-get install -y -q",
        ]);
        flag("missing-lxd-client");
        flag("apt-broken");
        const broken = run(renderInstallScript({ lxdDir, installPackages: true }));
        expect(broken.status).not.toBe(0);
        expect(broken.stderr).toContain("E: broken mirror");
        expect(broken.stderr).toContain("bcm: apt-get install lxd-client failed");
    });

    it("install: never starts a daemon in another LXD_DIR, and only checks when installing is off", () => {
        flag("down");
        const r = run(renderInstallScript({ lxdDir, installPackages: true }));
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`no LXD daemon answers on ${lxdDir}/unix.socket; start that daemon first`);
        fs.rmSync(path.join(state, "down"));
        flag("missing-dnsmasq-base");
        const off = run(renderInstallScript({ lxdDir, installPackages: false }));
        expect(off.status).not.toBe(0);
        expect(off.stderr).toContain("missing packages: dnsmasq-base (installPackages is off)");
        expect(off.calls).not.toContain("apt-get");
    });

    it("preseed: a new pool gets btrfs when the host can, dir when it cannot; an existing pool keeps its driver", () => {
        if (!hostHasBtrfs) {
            flag("no-loop"); // the kernel decides here; the loop stand-in then has the same answer
        }
        const btrfs = run(renderPreseedScript(opts()));
        expect(btrfs.status).toBe(0);
        const expected = hostHasBtrfs ? "btrfs" : "dir";
        expect(fs.readFileSync(path.join(state, "preseed"), "utf8")).toBe(renderPreseed(opts(), expected));
        expect(parseFacts(btrfs.stdout)).toEqual({ storage_pool: "default", storage_driver: expected, https_address: "10.0.0.5:8443" });

        state = fs.mkdtempSync(path.join(dir, "state-"));
        flag("no-loop");
        const dir1 = run(renderPreseedScript(opts()));
        expect(dir1.status).toBe(0);
        expect(dir1.stderr).toContain("no btrfs (no free loop device for a loop-backed pool): using dir");
        expect(parseFacts(dir1.stdout).storage_driver).toBe("dir");
        const asked = run(renderPreseedScript(opts({ storageDriver: "btrfs", storagePool: "other" })));
        expect(asked.status).not.toBe(0);
        expect(asked.stderr).toContain("btrfs was asked for, but: no free loop device");

        // Again: the pool exists now, so the preseed has no pool entry and the driver stays.
        const again = run(renderPreseedScript(opts({ storageDriver: "btrfs" })));
        expect(again.status).toBe(0);
        expect(again.stderr).toContain("storage pool default exists with driver dir; keeping it");
        expect(fs.readFileSync(path.join(state, "preseed"), "utf8")).toBe(renderPreseed(opts()));
        expect(parseFacts(again.stdout).storage_driver).toBe("dir");
    });

    it("storage probe: says btrfs or dir, and why not", () => {
        expect(run(renderStorageProbe(lxdDir)).stdout.trim()).toBe(hostHasBtrfs ? "btrfs" : "dir");
        flag("no-loop");
        const r = run(renderStorageProbe(lxdDir));
        expect(r.stdout.trim()).toBe("dir");
        expect(r.stderr).toContain("no free loop device");
    });

    it("trust: adds the certificate once (base64 DER), reports both fingerprints; untrust removes it", () => {
        flag("next-cert", cert.fingerprint);
        const script = renderTrustScript({ lxdDir, certificate: cert.pem, name: "bcm-controller" });
        const first = run(script);
        expect(first.status).toBe(0);
        const posts = first.calls.split("\n").filter((l) => l.includes("-X POST"));
        expect(posts).toHaveLength(1);
        const body = JSON.parse(posts[0].replace(/^.*--data (.*) \/1\.0\/certificates$/, "$1"));
        expect(body).toEqual({ type: "client", name: "bcm-controller", certificate: cert.derBase64 });
        expect(parseFacts(first.stdout)).toEqual({ client_fingerprint: cert.fingerprint, server_fingerprint: "f".repeat(64) });

        fs.rmSync(path.join(state, "calls"));
        const second = run(script);
        expect(second.status).toBe(0);
        expect(second.calls).not.toContain("-X POST");
        expect(second.stderr).toContain("is trusted already");

        expect(run(renderUntrustScript({ lxdDir, certificate: cert.pem })).calls).toContain(`-X DELETE /1.0/certificates/${cert.fingerprint}`);
        expect(fs.existsSync(path.join(state, `cert-${cert.fingerprint}`))).toBe(false);
        fs.rmSync(path.join(state, "calls"));
        const gone = run(renderUntrustScript({ lxdDir, certificate: cert.pem }));
        expect(gone.status).toBe(0);
        expect(gone.calls).not.toContain("-X DELETE");
        expect(() => renderTrustScript({ lxdDir, certificate: cert.pem, name: "bad name" })).toThrow(/trust name/);
    });
});

/** A throwaway self-signed EC certificate, made by openssl. */
function makeCertificate(): { pem: string; derBase64: string; fingerprint: string } {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-bootstrap-cert-"));
    try {
        execFileSync("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1", "-nodes",
            "-keyout", path.join(d, "k"), "-out", path.join(d, "c"), "-days", "1", "-subj", "/CN=bootstrap-test",
        ], { stdio: "ignore" });
        const pem = fs.readFileSync(path.join(d, "c"), "utf8");
        const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
        return { pem, derBase64: der.toString("base64"), fingerprint: pemFingerprint(pem) };
    } finally {
        fs.rmSync(d, { recursive: true, force: true });
    }
}

/** Stand-ins for the host's commands; each logs its call to $STUB_STATE/calls. */
function writeStubs(bin: string): void {
    const stub = (name: string, body: string) =>
        fs.writeFileSync(path.join(bin, name), `#!/bin/bash\necho "${name} $*" >>"$STUB_STATE/calls"\n${body}\n`, { mode: 0o755 });
    stub(
        "lxc",
        `case "$1" in
  query)
    if [ "$2" = -X ]; then
      method=$3; shift 3
      [ "$1" = --data ] && shift 2
      fp=\${1##*/}
      if [ "$method" = POST ]; then touch "$STUB_STATE/cert-$(cat "$STUB_STATE/next-cert" 2>/dev/null || echo posted)"; fi
      if [ "$method" = DELETE ]; then rm -f "$STUB_STATE/cert-$fp"; fi
      exit 0
    fi
    case "$2" in
      /1.0) [ -f "$STUB_STATE/down" ] && exit 1; echo '{}' ;;
      /1.0/certificates/*) [ -f "$STUB_STATE/cert-\${2##*/}" ] || { echo "Error: not found" >&2; exit 1; } ;;
    esac ;;
  storage)
    [ -f "$STUB_STATE/pool-$3" ] || { echo "Error: Storage pool not found" >&2; exit 1; }
    echo "config: {}"; echo "driver: $(cat "$STUB_STATE/pool-$3")" ;;
  config) echo "10.0.0.5:8443" ;;
  info) echo "environment:"; echo "  certificate_fingerprint: ${"f".repeat(64)}" ;;
esac`,
    );
    stub(
        "lxd",
        `case "$1" in
  init)
    cat >"$STUB_STATE/preseed"
    awk '/^storage_pools:/ {p=1} p && /name:/ {gsub(/"/, "", $3); name=$3} p && /driver:/ {print $2 > ENVIRON["STUB_STATE"] "/pool-" name}' "$STUB_STATE/preseed" ;;
  --version) echo 5.0.2 ;;
esac`,
    );
    stub("dpkg-query", `p="\${@: -1}"; [ -f "$STUB_STATE/missing-$p" ] || printf 'install ok installed'`);
    stub(
        "apt-get",
        `[ -f "$STUB_STATE/apt-broken" ] && { echo "E: broken mirror" >&2; exit 100; }
case " $* " in
  *" update "*) rm -f "$STUB_STATE/apt-stale" ;;
  *) [ -f "$STUB_STATE/apt-stale" ] && { echo "E: 404 Not Found" >&2; exit 100; }
     for p in "$@"; do rm -f "$STUB_STATE/missing-$p"; done ;;
esac`,
    );
    stub("modprobe", "exit 1");
    stub("mkfs.btrfs", "exit 0");
    stub("losetup", `[ -f "$STUB_STATE/no-loop" ] && exit 1; echo /dev/loop7`);
}
