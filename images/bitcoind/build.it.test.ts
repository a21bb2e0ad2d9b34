import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import * as openpgp from "openpgp";

// images/bitcoind/build.sh, driven for real on the local dockerd with a TEST RELEASE made
// here: a tarball in Bitcoin Core's layout (bitcoin-0.0.0-bcmtest/bin/bitcoind and
// bin/bitcoin-cli) whose two programs are shell scripts that say they are not Bitcoin Core,
// its SHA256SUMS, and SHA256SUMS.asc signed by test builders' keys generated here. It is a
// fixture, never shipped, and claims to be no real release. Nothing is downloaded: the base,
// bcm/debian, is reused or made from the bcm-base LXD image already built (the test stops
// when that is missing rather than have images/build.sh download Debian). The images and
// build logs this test makes are removed afterwards (bcm/debian stays).

const repo = path.resolve(__dirname, "../..");
const buildScript = path.join(repo, "images/bitcoind/build.sh");
const run = `${process.pid}-${randomBytes(3).toString("hex")}`;
const VERSION = "0.0.0-bcmtest";
const FILE = `bitcoin-${VERSION}-x86_64-linux-gnu.tar.gz`;
const SAYS = `bcm test release: not Bitcoin Core (${VERSION}, test run ${run})`;

const fixtureProgram = (name: string, says: string) => `#!/bin/sh
# ${name} of the TEST RELEASE of images/bitcoind/build.it.test.ts: NOT Bitcoin Core.
# It answers --version and does nothing else.
for arg in "$@"; do
  case "$arg" in
    -version | --version) echo "${says}"; exit 0 ;;
  esac
done
echo "${name}: bcm test release, not Bitcoin Core: it does nothing" >&2
exit 1
`;

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

async function docker(...args: string[]): Promise<string> {
    const r = await execa("docker", args, { reject: false, stdin: "ignore" });
    if (r.exitCode !== 0) throw new Error(`docker ${args.join(" ")} failed (${r.exitCode}): ${r.stderr}`);
    return r.stdout.trim();
}
const imageExists = async (ref: string) => (await execa("docker", ["image", "inspect", ref], { reject: false })).exitCode === 0;
const lastLine = (s: string) => s.trim().split("\n").pop() ?? "";

interface Builder {
    name: string;
    privateKey: openpgp.PrivateKey;
    publicKey: string;
    fingerprint: string;
}

async function builder(name: string): Promise<Builder> {
    const { privateKey, publicKey } = await openpgp.generateKey({
        type: "ecc",
        curve: "curve25519Legacy",
        userIDs: [{ name: `Test Builder ${name} (bcm test release only)`, email: `${name.toLowerCase()}@builders.bcm.invalid` }],
        format: "object",
    });
    return { name, privateKey, publicKey: publicKey.armor(), fingerprint: privateKey.getFingerprint().toUpperCase() };
}

async function sign(data: Uint8Array, by: Builder): Promise<string> {
    const message = await openpgp.createMessage({ binary: data });
    return openpgp.sign({ message, signingKeys: by.privateKey, detached: true, format: "armored" });
}

describe("images/bitcoind/build.sh with a test release (not Bitcoin Core)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-it-bitcoind-"));
    const keys = path.join(dir, "keys");
    // The real cache: images/docker/build.sh finds bcm-base there (an empty one would make it debootstrap).
    const cache = process.env.BCM_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "bcm");
    const createdTags = new Set<string>();
    let alice: Builder;
    let bob: Builder;
    let mallory: Builder; // signs, but nobody trusts her key
    let tarball: Buffer;
    let sums: Buffer;

    /** A directory holding the tarball, SHA256SUMS and SHA256SUMS.asc made from the arguments. */
    const release = (name: string, files: { tarball: Buffer; sums: Buffer; asc: string }) => {
        const d = path.join(dir, name);
        fs.mkdirSync(d);
        fs.writeFileSync(path.join(d, FILE), files.tarball);
        fs.writeFileSync(path.join(d, "SHA256SUMS"), files.sums);
        fs.writeFileSync(path.join(d, "SHA256SUMS.asc"), files.asc);
        return d;
    };

    /** A gzipped tarball in Bitcoin Core's layout, with the fixture's two programs saying `says`. */
    const makeTarball = async (name: string, says: string) => {
        const root = path.join(dir, name);
        const bin = path.join(root, `bitcoin-${VERSION}`, "bin");
        fs.mkdirSync(bin, { recursive: true });
        for (const program of ["bitcoind", "bitcoin-cli"]) fs.writeFileSync(path.join(bin, program), fixtureProgram(program, says), { mode: 0o755 });
        const out = path.join(dir, `${name}.tar.gz`);
        await execa("tar", ["-czf", out, "--owner=0", "--group=0", "-C", root, `bitcoin-${VERSION}`]);
        return fs.readFileSync(out);
    };

    const buildSh = (...args: string[]) =>
        execa("bash", [buildScript, ...args], { reject: false, stdin: "ignore", cwd: repo });
    const releaseArgs = (d: string, threshold = "2") => ["--release", d, "--keys", keys, "--version", VERSION, "--threshold", threshold];
    /** Every bcm/bitcoind image built from a tarball with this sha256. */
    const imagesOf = async (sha: string) =>
        (await docker("images", "-q", "--filter", `label=bcm.bitcoind.tarball-sha256=${sha}`, "bcm/bitcoind")).split("\n").filter(Boolean);

    beforeAll(async () => {
        const base = await execa("bash", [path.join(repo, "images/build.sh"), "--print", "bcm-base"], { reject: false, stdin: "ignore" });
        if (base.exitCode !== 0) {
            throw new Error("the bcm-base LXD image is not built: build it first (images/build.sh bcm-base, which downloads Debian); this test downloads nothing");
        }
        [alice, bob, mallory] = await Promise.all(["Alice", "Bob", "Mallory"].map(builder));
        fs.mkdirSync(keys);
        fs.writeFileSync(path.join(keys, "alice.asc"), alice.publicKey);
        fs.writeFileSync(path.join(keys, "bob.gpg"), bob.publicKey); // armored, named as in guix.sigs
        fs.writeFileSync(path.join(keys, "README"), "not a key: ignored\n");
        tarball = await makeTarball("good", SAYS);
        sums = Buffer.from(`${sha256(Buffer.from("source"))}  bitcoin-${VERSION}.tar.gz\n${sha256(tarball)}  ${FILE}\n`);
    });

    afterAll(async () => {
        for (const tag of createdTags) {
            await execa("docker", ["rmi", tag], { reject: false });
            fs.rmSync(path.join(cache, "bitcoind", `bitcoind-${tag.replace(/^bcm\/bitcoind:/, "")}.log`), { force: true });
        }
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("builds bcm/bitcoind:VERSION-SHA16 from a release signed by 2 trusted keys (threshold 2); bitcoind runs", async () => {
        const d = release("release", { tarball, sums, asc: (await sign(sums, alice)) + (await sign(sums, bob)) });
        const sha = sha256(tarball);
        const tag = `bcm/bitcoind:${VERSION}-${sha.slice(0, 16)}`;
        createdTags.add(tag);
        const r = await buildSh(...releaseArgs(d));
        if (r.exitCode !== 0) throw new Error(`build.sh failed (${r.exitCode}):\n${r.stderr}`);
        expect(JSON.parse(lastLine(r.stdout))).toEqual({ bitcoind: tag });
        expect(r.stderr).toContain(`verified ${FILE}: sha256 ${sha}, listed in SHA256SUMS, signed by 2 trusted keys (threshold 2)`);
        expect(r.stderr.indexOf("verified")).toBeLessThan(r.stderr.indexOf(`building ${tag}`));

        // The fixture's bitcoind, as the entrypoint, run as bitcoin; and bitcoin-cli.
        expect(await docker("run", "--rm", "--network", "none", tag, "--version")).toBe(SAYS);
        expect(await docker("run", "--rm", "--network", "none", "--entrypoint", "bitcoin-cli", tag, "--version")).toBe(SAYS);
        const inside = await docker(
            "run", "--rm", "--network", "none", "--entrypoint", "sh", tag, "-c",
            "id -un; id -u; stat -c '%U %a' /var/lib/bitcoind; readlink ~/.bitcoin; stat -c '%U %a' /usr/local/bin/bitcoind /usr/local/bin/bitcoin-cli",
        );
        expect(inside.split("\n")).toEqual(["bitcoin", "1103", "bitcoin 750", "/var/lib/bitcoind", "root 755", "root 755"]);
        const config = JSON.parse(await docker("image", "inspect", "-f", "{{json .Config}}", tag)) as { Entrypoint: string[]; User: string; Labels: Record<string, string> };
        expect(config.Entrypoint).toEqual(["/usr/local/bin/bitcoind"]);
        expect(config.User).toBe("bitcoin");
        expect(config.Labels).toMatchObject({
            "bcm.bitcoind.version": VERSION,
            "org.opencontainers.image.version": VERSION,
            "bcm.bitcoind.tarball": FILE,
            "bcm.bitcoind.tarball-sha256": sha,
            "bcm.bitcoind.signers": [alice.fingerprint, bob.fingerprint].sort().join(","),
            "bcm.bitcoind.threshold": "2",
        });
        expect(config.Labels["bcm.bitcoind.base"]).toMatch(/^bcm\/debian:[0-9a-f]{16}$/);

        // A second run verifies again, and reuses the image; --print prints it.
        const again = await buildSh(...releaseArgs(d));
        expect(again.exitCode).toBe(0);
        expect(JSON.parse(lastLine(again.stdout))).toEqual({ bitcoind: tag });
        expect(again.stderr).toContain(`verified ${FILE}`);
        expect(again.stderr).toContain(`reusing ${tag}`);
        expect(again.stderr).not.toContain("building");
        const printed = await buildSh(...releaseArgs(d), "--print");
        expect(printed.exitCode).toBe(0);
        expect(JSON.parse(lastLine(printed.stdout))).toEqual({ bitcoind: tag });
    });

    it("refuses a tampered tarball before any build: no image is made", async () => {
        const tampered = await makeTarball("tampered", "bcm test release, TAMPERED");
        const sha = sha256(tampered);
        const d = release("release-tampered", { tarball: tampered, sums, asc: (await sign(sums, alice)) + (await sign(sums, bob)) });
        createdTags.add(`bcm/bitcoind:${VERSION}-${sha.slice(0, 16)}`);
        const r = await buildSh(...releaseArgs(d));
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toContain(`${FILE}: sha256 ${sha} does not match SHA256SUMS (${sha256(tarball)}): the file is corrupt or not the release`);
        expect(r.stderr).toContain(`release ${VERSION} NOT verified (reason above): nothing was built`);
        expect(r.stderr).not.toMatch(/building|docker-images/);
        expect(lastLine(r.stdout)).toBe("");
        expect(await imageExists(`bcm/bitcoind:${VERSION}-${sha.slice(0, 16)}`)).toBe(false);
        expect(await imagesOf(sha)).toEqual([]);
    });

    it("refuses a release signed by only one trusted key at threshold 2 (an untrusted signer does not count)", async () => {
        const other = await makeTarball("one-signer", `${SAYS} (one signer)`);
        const sha = sha256(other);
        const otherSums = Buffer.from(`${sha}  ${FILE}\n`);
        const d = release("release-one", { tarball: other, sums: otherSums, asc: (await sign(otherSums, alice)) + (await sign(otherSums, mallory)) });
        createdTags.add(`bcm/bitcoind:${VERSION}-${sha.slice(0, 16)}`);
        const r = await buildSh(...releaseArgs(d));
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toContain(
            `SHA256SUMS.asc: 1 valid signature from a trusted key, 2 required (threshold): add the builders' keys (guix.sigs/builder-keys) to ${keys} (*.asc, *.gpg), or lower --threshold`,
        );
        expect(r.stderr).toContain(`counted: ${alice.fingerprint}`);
        expect(r.stderr).toContain(`key ${mallory.fingerprint}): signed by a key that is not trusted`);
        expect(r.stderr).not.toMatch(/building|docker-images/);
        expect(await imagesOf(sha)).toEqual([]);
        // The default threshold, 3, is more than the 2 trusted keys: refused, saying so.
        const byDefault = await buildSh("--release", d, "--keys", keys, "--version", VERSION);
        expect(byDefault.exitCode).toBe(1);
        expect(byDefault.stderr).toContain(`threshold 3 exceeds the 2 trusted keys in ${keys}`);
    });

    it("refuses bad arguments, and prints its usage with --help", async () => {
        const help = await buildSh("--help");
        expect(help.exitCode).toBe(0);
        expect(help.stdout).toContain("Usage: images/bitcoind/build.sh --release DIR --keys DIR --version V");
        const missing = await buildSh("--version", VERSION);
        expect(missing.exitCode).toBe(1);
        expect(missing.stderr).toContain("--release, --keys and --version are required");
        const badVersion = await buildSh("--release", dir, "--keys", keys, "--version", "27.1;true");
        expect(badVersion.exitCode).toBe(1);
        expect(badVersion.stderr).toMatch(/--version: version "27.1;true" is not a Bitcoin Core version/);
    });
});
