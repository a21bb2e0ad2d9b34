import * as crypto from "node:crypto";

/**
 * The shell scripts and the preseed that bootstrap an LXD host over SSH (LxdEndpoint in
 * `ssh` mode), as plain functions of their options so they are tested without a host.
 * Every script is idempotent: it looks before it acts, and a second run changes nothing.
 * Scripts print what the controller needs as `key=value` lines on stdout ({@link parseFacts});
 * everything else goes to stderr.
 */

/** Debian's LXD directory (the snap uses /var/snap/lxd/common/lxd). */
export const defaultLxdDir = "/var/lib/lxd";

/** The Debian packages an LXD host needs: the daemon, its client, DHCP/DNS on the bridge, btrfs pools. */
export const lxdPackages = ["lxd", "lxd-client", "dnsmasq-base", "btrfs-progs"] as const;

/** Which storage driver the pool gets: btrfs when the host can (a "btrfs" request fails loudly when it cannot). */
export type StorageDriverChoice = "auto" | "btrfs" | "dir";

/** The bridge the preseed creates or updates. */
export interface BridgeOptions {
    /** Interface and network name (at most 15 characters). */
    name: string;
    /** `10.0.3.1/24`, or "auto" (LXD picks a free subnet when it creates the bridge; an existing one keeps its subnet). */
    ipv4Address: string;
    /** NAT for the bridge's subnet. */
    ipv4Nat: boolean;
}

/** What the preseed configures on the host. */
export interface PreseedOptions {
    /** LXD_DIR of the daemon. */
    lxdDir: string;
    /** The HTTPS listen address, `host:port` (`[v6]:port` for IPv6). */
    httpsAddress: string;
    /** The storage pool the default profile's root disk uses. */
    storagePool: string;
    /** The driver of a pool the preseed creates (an existing pool keeps its driver). */
    storageDriver: StorageDriverChoice;
    /** The bridge the default profile's eth0 uses. */
    bridge: BridgeOptions;
}

/** Checks the preseed options; throws with every problem and its fix. */
export function validatePreseedOptions(o: PreseedOptions): void {
    const problems: string[] = [];
    if (!/^\/[^\s'"\\$`]*$/.test(o.lxdDir)) {
        problems.push(`lxdDir "${o.lxdDir}" must be an absolute path without spaces, quotes or $`);
    }
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(o.httpsAddress)) {
        problems.push(`the HTTPS address "${o.httpsAddress}" must be host:port (or [ipv6]:port)`);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(o.storagePool)) {
        problems.push(`storagePool "${o.storagePool}" must be letters, digits, '-', '_' or '.'`);
    }
    if (!["auto", "btrfs", "dir"].includes(o.storageDriver)) {
        problems.push(`storageDriver "${o.storageDriver}" must be auto, btrfs or dir`);
    }
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,14}$/.test(o.bridge.name)) {
        problems.push(`bridge name "${o.bridge.name}" must be a letter then letters, digits, '-' or '_', at most 15 characters`);
    }
    if (o.bridge.ipv4Address !== "auto" && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(o.bridge.ipv4Address)) {
        problems.push(`bridge ipv4Address "${o.bridge.ipv4Address}" must be "auto" or the bridge's own address with a prefix, like 10.0.3.1/24`);
    }
    if (problems.length > 0) {
        throw new Error(`LXD preseed: ${problems.join("; ")}`);
    }
}

/** A string as one single-quoted shell word. */
export function shellQuote(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A YAML double-quoted scalar (JSON strings are valid YAML). */
function y(s: string): string {
    return JSON.stringify(s);
}

/**
 * The preseed without a storage pool entry: server config, the bridge, the default
 * profile. LXD applies a preseed to existing objects by merging keys, so this is safe to
 * apply again. An "auto" IPv4 address is left out: a new bridge gets "auto" by default,
 * and an existing one keeps its subnet (sending "auto" again could renumber it).
 */
export function renderPreseedBase(o: PreseedOptions): string {
    validatePreseedOptions(o);
    const net = [`      ipv4.nat: ${y(String(o.bridge.ipv4Nat))}`, `      ipv6.address: ${y("none")}`];
    if (o.bridge.ipv4Address !== "auto") {
        net.unshift(`      ipv4.address: ${y(o.bridge.ipv4Address)}`);
    }
    return [
        "config:",
        `  core.https_address: ${y(o.httpsAddress)}`,
        "networks:",
        `  - name: ${y(o.bridge.name)}`,
        "    type: bridge",
        `    description: ${y("BCM bridge")}`,
        "    config:",
        ...net,
        "profiles:",
        "  - name: default",
        "    devices:",
        "      root:",
        "        type: disk",
        "        path: /",
        `        pool: ${y(o.storagePool)}`,
        "      eth0:",
        "        type: nic",
        "        name: eth0",
        `        network: ${y(o.bridge.name)}`,
        "",
    ].join("\n");
}

/** The storage pool entry of a preseed that creates the pool with this driver. */
export function renderPreseedPool(o: PreseedOptions, driver: "btrfs" | "dir"): string {
    validatePreseedOptions(o);
    return [
        "storage_pools:",
        `  - name: ${y(o.storagePool)}`,
        `    driver: ${driver}`,
        `    description: ${y(`BCM pool (${driver} driver)`)}`,
        "",
    ].join("\n");
}

/** The whole preseed: with a pool entry when the pool is to be created, without for an existing pool. */
export function renderPreseed(o: PreseedOptions, createPoolWith?: "btrfs" | "dir"): string {
    return renderPreseedBase(o) + (createPoolWith ? renderPreseedPool(o, createPoolWith) : "");
}

/** The common start of every script: strict mode, sbin on PATH, LXD_DIR of the daemon. */
function header(lxdDir: string, what: string): string[] {
    return [
        `# BCM LxdEndpoint: ${what}`,
        "set -euo pipefail",
        'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"',
        `export LXD_DIR=${shellQuote(lxdDir)}`,
        'die() { printf "bcm: %s\\n" "$*" >&2; exit 1; }',
    ];
}

/** Options of the install step. */
export interface InstallOptions {
    /** LXD_DIR of the daemon. */
    lxdDir: string;
    /** Install missing packages with apt-get (Debian); otherwise only check. */
    installPackages: boolean;
    /** Seconds to wait for the daemon. */
    waitSeconds?: number;
}

/**
 * Installs LXD when missing (Debian: `apt-get install lxd lxd-client dnsmasq-base
 * btrfs-progs`), starts Debian's daemon when it does not answer (systemd, or `lxd --group
 * root` detached on hosts without systemd) and waits for it. A daemon in another LXD_DIR
 * (a second daemon) is never started here: it must already run. Prints `lxd_version=`.
 */
export function renderInstallScript(o: InstallOptions): string {
    const wait = o.waitSeconds ?? 120;
    return [
        ...header(o.lxdDir, "install and start LXD"),
        "answers() { [ -S \"$LXD_DIR/unix.socket\" ] && timeout 10 lxc query /1.0 >/dev/null 2>&1; }",
        "missing=()",
        "if command -v dpkg-query >/dev/null 2>&1; then",
        `  for p in ${lxdPackages.join(" ")}; do`,
        "    dpkg-query -W -f='${Status}' \"$p\" 2>/dev/null | grep -q 'install ok installed' || missing+=(\"$p\")",
        "  done",
        "elif ! command -v lxd >/dev/null 2>&1 || ! command -v lxc >/dev/null 2>&1; then",
        "  die \"LXD is not installed and this host has no dpkg: install lxd and lxc yourself\"",
        "fi",
        "if [ \"${#missing[@]}\" -gt 0 ]; then",
        o.installPackages
            ? [
                  "  log=$(mktemp)",
                  "  export DEBIAN_FRONTEND=noninteractive",
                  "  inst() { apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 \"${missing[@]}\" >>\"$log\" 2>&1; }",
                  "  if ! inst && ! { apt-get -q -o DPkg::Lock::Timeout=600 update >>\"$log\" 2>&1 && inst; }; then",
                  "    cat \"$log\" >&2; rm -f \"$log\"; die \"apt-get install ${missing[*]} failed\"",
                  "  fi",
                  "  rm -f \"$log\"",
                  "  echo \"installed=${missing[*]}\"",
              ].join("\n")
            : "  die \"missing packages: ${missing[*]} (installPackages is off)\"",
        "fi",
        "if ! answers; then",
        `  if [ "$LXD_DIR" != ${shellQuote(defaultLxdDir)} ]; then`,
        "    die \"no LXD daemon answers on $LXD_DIR/unix.socket; start that daemon first\"",
        "  fi",
        "  if [ -d /run/systemd/system ] && [ \"$(ps -p 1 -o comm=)\" = systemd ]; then",
        "    systemctl start lxd.socket lxd.service >&2 || systemctl start lxd >&2",
        "  else",
        "    mkdir -p /var/log",
        "    ( ulimit -n 1048576 2>/dev/null || true; nohup setsid lxd --group root </dev/null >>/var/log/bcm-lxd.log 2>&1 & )",
        "  fi",
        `  timeout ${wait + 5} lxd waitready --timeout=${wait} >&2 || die "LXD did not become ready within ${wait} s"`,
        "fi",
        "answers || die \"LXD on $LXD_DIR does not answer\"",
        "echo \"lxd_version=$(lxd --version)\"",
        "",
    ].join("\n");
}

/**
 * Prints `btrfs` when the host can give LXD a btrfs pool, otherwise `dir` and, on stderr,
 * why not: btrfs-progs installed, btrfs in the kernel (loaded on demand), and either
 * LXD_DIR already on btrfs or a free loop device for a loop-backed pool.
 */
export function renderStorageProbe(lxdDir: string): string {
    return [...header(lxdDir, "can this host give LXD a btrfs pool?"), ...storageProbeFunction(), "if btrfs_usable; then echo btrfs; else echo \"bcm: no btrfs: $why\" >&2; echo dir; fi", ""].join("\n");
}

function storageProbeFunction(): string[] {
    return [
        "why=''",
        "btrfs_usable() {",
        "  command -v mkfs.btrfs >/dev/null 2>&1 || { why='mkfs.btrfs is missing (btrfs-progs)'; return 1; }",
        "  grep -qw btrfs /proc/filesystems || modprobe btrfs >/dev/null 2>&1 || true",
        "  grep -qw btrfs /proc/filesystems || { why='the kernel has no btrfs'; return 1; }",
        "  mkdir -p \"$LXD_DIR\"",
        "  [ \"$(stat -f -c %T \"$LXD_DIR\")\" = btrfs ] && return 0",
        "  losetup -f >/dev/null 2>&1 || { why='no free loop device for a loop-backed pool'; return 1; }",
        "}",
    ];
}

/**
 * Applies the preseed: an existing pool keeps its driver (LXD cannot change it); a new
 * one gets btrfs when the host can ("auto"), or exactly what was asked. Prints
 * `storage_driver=`, `storage_pool=` and `https_address=` as the daemon reports them.
 */
export function renderPreseedScript(o: PreseedOptions): string {
    const pool = shellQuote(o.storagePool);
    return [
        ...header(o.lxdDir, "apply the preseed"),
        ...storageProbeFunction(),
        `requested=${o.storageDriver}`,
        "preseed=$(mktemp)",
        "trap 'rm -f \"$preseed\"' EXIT",
        "cat >\"$preseed\" <<'BCM_PRESEED_BASE'",
        renderPreseedBase(o).trimEnd(),
        "BCM_PRESEED_BASE",
        `if lxc storage show ${pool} >/dev/null 2>&1; then`,
        `  have=$(lxc storage show ${pool} | awk '/^driver:/ {print $2; exit}')`,
        "  if [ \"$requested\" != auto ] && [ \"$requested\" != \"$have\" ]; then",
        `    echo "bcm: storage pool ${o.storagePool} exists with driver $have; keeping it (a pool's driver cannot change)" >&2`,
        "  fi",
        "else",
        "  case \"$requested\" in",
        "    dir) driver=dir ;;",
        "    btrfs) btrfs_usable || die \"btrfs was asked for, but: $why\"; driver=btrfs ;;",
        "    *) if btrfs_usable; then driver=btrfs; else echo \"bcm: no btrfs ($why): using dir\" >&2; driver=dir; fi ;;",
        "  esac",
        "  if [ \"$driver\" = btrfs ]; then",
        "    cat >>\"$preseed\" <<'BCM_PRESEED_BTRFS'",
        renderPreseedPool(o, "btrfs").trimEnd(),
        "BCM_PRESEED_BTRFS",
        "  else",
        "    cat >>\"$preseed\" <<'BCM_PRESEED_DIR'",
        renderPreseedPool(o, "dir").trimEnd(),
        "BCM_PRESEED_DIR",
        "  fi",
        "fi",
        "lxd init --preseed <\"$preseed\" >&2",
        `echo "storage_pool=${o.storagePool}"`,
        `echo "storage_driver=$(lxc storage show ${pool} | awk '/^driver:/ {print $2; exit}')"`,
        "echo \"https_address=$(lxc config get core.https_address)\"",
        "",
    ].join("\n");
}

/** A client certificate to trust: its PEM and the name it gets in the trust store. */
export interface TrustOptions {
    /** LXD_DIR of the daemon. */
    lxdDir: string;
    /** The controller's client certificate, PEM. */
    certificate: string;
    /** Its name in LXD's trust store. */
    name: string;
}

/** SHA-256 of a PEM certificate's DER, lower-case hex, as LXD names trusted certificates. */
export function pemFingerprint(pem: string): string {
    return new crypto.X509Certificate(pem).fingerprint256.replace(/:/g, "").toLowerCase();
}

/**
 * Trusts the controller's client certificate (POST /1.0/certificates over the host's
 * unix socket: base64 of the DER, not the PEM) unless it is trusted already, then prints
 * `client_fingerprint=` and the daemon's own `server_fingerprint=` (to pin).
 */
export function renderTrustScript(o: TrustOptions): string {
    const cert = new crypto.X509Certificate(o.certificate);
    const fp = pemFingerprint(o.certificate);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/.test(o.name)) {
        throw new Error(`trust name "${o.name}" must be letters, digits, '-', '_', '.' or '@'`);
    }
    const body = JSON.stringify({ type: "client", name: o.name, certificate: cert.raw.toString("base64") });
    return [
        ...header(o.lxdDir, "trust the controller's client certificate"),
        `if lxc query /1.0/certificates/${fp} >/dev/null 2>&1; then`,
        `  echo "bcm: certificate ${fp.slice(0, 12)} is trusted already" >&2`,
        "else",
        `  lxc query -X POST --data ${shellQuote(body)} /1.0/certificates >/dev/null`,
        "fi",
        `lxc query /1.0/certificates/${fp} >/dev/null || die "the certificate was not added to the trust store"`,
        `echo "client_fingerprint=${fp}"`,
        "echo \"server_fingerprint=$(lxc info | awk '/^  certificate_fingerprint:/ {print $2; exit}')\"",
        "",
    ].join("\n");
}

/** Removes the controller's certificate from the trust store again (nothing when it is gone). */
export function renderUntrustScript(o: Omit<TrustOptions, "name">): string {
    const fp = pemFingerprint(o.certificate);
    return [
        ...header(o.lxdDir, "remove the controller's client certificate from the trust store"),
        `if lxc query /1.0/certificates/${fp} >/dev/null 2>&1; then`,
        `  lxc query -X DELETE /1.0/certificates/${fp} >/dev/null`,
        "fi",
        "",
    ].join("\n");
}

/** How a script runs over SSH: as root directly, or through `sudo -n` for another user; always bash. */
export function remoteCommand(script: string, sudo: boolean): string {
    return `${sudo ? "sudo -n " : ""}bash -c ${shellQuote(script)}`;
}

/** The `key=value` lines of a script's stdout (the last value of a key wins). */
export function parseFacts(stdout: string): Record<string, string> {
    const facts: Record<string, string> = {};
    for (const line of stdout.split("\n")) {
        const m = /^([a-z_]+)=(.*)$/.exec(line.trim());
        if (m) {
            facts[m[1]] = m[2];
        }
    }
    return facts;
}

/** The HTTPS listen address for a host and port (IPv6 in brackets). */
export function httpsAddress(host: string, port: number): string {
    return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The endpoint URL for a host and port. */
export function httpsUrl(host: string, port: number): string {
    return `https://${httpsAddress(host, port)}`;
}
