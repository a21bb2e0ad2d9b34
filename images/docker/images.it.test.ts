import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ed25519 } from "@noble/curves/ed25519";
import { sha512 } from "@noble/hashes/sha2";
import { execa } from "execa";
import { docker, lastLine, waitFor } from "../../test/testing/support";
import { clientAuthorization, onionAddress, publicKeyFromTorFile } from "../../components/tor/onion";
import { renderTorrc } from "../../components/tor/torrc";

// The Docker images of images/docker/, built by build.sh on the local dockerd and each run
// for real: Tor with DisableNetwork 1 (it never connects anywhere), registries that talk only
// to each other, the toolbox on a private network. Everything this test creates is named
// bcm-it-dimg-<run>-... and removed afterwards, even when a test fails.

const repo = path.resolve(__dirname, "../..");
const buildScript = path.join(repo, "images/docker/build.sh");
const run = `bcm-it-dimg-${process.pid}-${randomBytes(3).toString("hex")}`;
const names = ["btcd", "debian", "electrum", "kafka", "lnd", "registry", "streams", "toolbox", "tor"];

/**
 * A Tor onion service key from a 32-byte seed, as Tor's `hs_ed25519_secret_key` file: the
 * 32-byte header, then the expanded ed25519 secret key (SHA-512 of the seed, the first half
 * clamped into the scalar, the second half the nonce prefix). Returns the file, the public key
 * and the address. (Test code; the lead may move it to components/tor/onion.ts.)
 */
function torSecretKey(seed: Uint8Array): { file: Buffer; publicKey: Uint8Array; address: string } {
    const expanded = sha512(seed);
    expanded[0] &= 248;
    expanded[31] &= 127;
    expanded[31] |= 64;
    const publicKey = ed25519.getPublicKey(seed);
    const header = Buffer.from("== ed25519v1-secret: type0 ==\0\0\0");
    return { file: Buffer.concat([header, expanded]), publicKey, address: onionAddress(publicKey) };
}


/** docker exec CONTAINER sh -c SCRIPT: its stdout, or an error with its output. */
const sh = (container: string, script: string) => docker("exec", container, "sh", "-c", script);


const buildImages = (...args: string[]) =>
    execa("bash", [buildScript, ...args], { reject: false, stdin: "ignore", cwd: repo, env: { ...process.env } });

describe("BCM's Docker images (images/docker), built from Debian packages and run", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-it-dimg-"));
    const network = `${run}-net`;
    const web = `${run}-web`;
    const containers: string[] = [];
    const tagsToRemove: string[] = [];
    let networkCreated = false;
    let tags: Record<string, string> = {};

    /** docker run -d with a name this test removes afterwards; returns the name. */
    const start = async (suffix: string, ...args: string[]) => {
        const name = `${run}-${suffix}`;
        containers.push(name);
        await docker("run", "-d", "--name", name, ...args);
        return name;
    };
    const ipOf = (container: string) =>
        docker("inspect", "-f", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container);
    const userOfPid1 = (container: string) => sh(container, "ps -o user:20= -p 1");

    beforeAll(async () => {
        const first = await buildImages();
        if (first.exitCode !== 0) throw new Error(`build.sh failed (${first.exitCode}):\n${first.stderr}`);
        tags = JSON.parse(lastLine(first.stdout));
        await docker("network", "create", network);
        networkCreated = true;
        // The target of the onion service and of the toolbox's lookups: a web server.
        await start("web", "--network", network, tags.toolbox, "python3", "-m", "http.server", "8080");
    });

    afterAll(async () => {
        for (const c of containers) await execa("docker", ["rm", "-f", "-v", c], { reject: false });
        if (networkCreated) await execa("docker", ["network", "rm", network], { reject: false });
        // Only the registry tags this test made; the images themselves stay (they are bcm/*).
        for (const t of tagsToRemove) await execa("docker", ["rmi", t], { reject: false });
        fs.rmSync(dir, { recursive: true, force: true });
    });

    describe("build.sh", () => {
        it("prints every image's tag, bcm/<name>:<16 hex digits of its inputs>, as JSON on the last line", async () => {
            expect(Object.keys(tags).sort()).toEqual(names);
            for (const name of names) {
                expect(tags[name]).toMatch(new RegExp(`^bcm/${name}:[0-9a-f]{16}$`));
                expect(await docker("image", "inspect", "-f", '{{index .Config.Labels "bcm.docker-image"}}', tags[name])).toBe(name);
            }
        });

        // How long a reuse takes is a benchmark's question, not a test's: here, that nothing is built.
        it("reuses every image on a second run: same tags, nothing built", async () => {
            const second = await buildImages();
            expect(second.exitCode).toBe(0);
            expect(JSON.parse(lastLine(second.stdout))).toEqual(tags);
            expect(second.stderr).not.toMatch(/building/);
            for (const name of names) expect(second.stderr).toContain(`${name}: reusing ${tags[name]}`);
        });

        it("--print prints what is built, and exits 1 naming what is not", async () => {
            const built = await buildImages("--print");
            expect(built.exitCode).toBe(0);
            expect(JSON.parse(lastLine(built.stdout))).toEqual(tags);
            const one = await buildImages("--print", "tor");
            expect(JSON.parse(lastLine(one.stdout))).toEqual({ debian: tags.debian, tor: tags.tor });
            // An empty cache: no bcm-base, so no debian, so nothing; and nothing gets built.
            const empty = await execa("bash", [buildScript, "--print"], {
                reject: false,
                stdin: "ignore",
                env: { ...process.env, BCM_CACHE_DIR: path.join(dir, "empty-cache") },
            });
            expect(empty.exitCode).toBe(1);
            expect(lastLine(empty.stdout)).toBe("{}");
            expect(empty.stderr).toMatch(/not built: debian.*tor/);
        });
    });

    describe("tor", () => {
        const seed = randomBytes(32);
        const key = torSecretKey(seed);
        const auth = clientAuthorization(key.address);
        const torrcFor = (target: string) => {
            const torrc = renderTorrc({
                dataDirectory: "/var/lib/tor",
                socksListen: "0.0.0.0:9050",
                onionServices: [{ name: "web", ports: [{ virtualPort: 80, target }] }],
                disableNetwork: true,
            });
            // Never a Tor that could reach the public network.
            expect(torrc).toMatch(/^DisableNetwork 1$/m);
            return torrc;
        };
        let tor = "";

        beforeAll(async () => {
            fs.writeFileSync(path.join(dir, "torrc"), torrcFor(`${web}:8080`));
            fs.writeFileSync(path.join(dir, "onion-web-secret"), key.file, { mode: 0o600 });
            fs.writeFileSync(path.join(dir, "onion-web-clients"), `# alice\n${auth.serviceLine}\n`);
            tor = await start(
                "tor",
                "--network", network,
                "-v", `${path.join(dir, "torrc")}:/etc/bcm/torrc:ro`,
                "-v", `${path.join(dir, "onion-web-secret")}:/run/secrets/onion-web-secret:ro`,
                "-v", `${path.join(dir, "onion-web-clients")}:/run/secrets/onion-web-clients:ro`,
                tags.tor,
            );
        });

        it("publishes the onion service under the address of the key it was given", async () => {
            const hostname = await waitFor("Tor to write hs-web/hostname", 60, async () =>
                (await sh(tor, "cat /var/lib/tor/hs-web/hostname")) || undefined,
            );
            expect(key.address).toMatch(/^[a-z2-7]{56}\.onion$/);
            expect(hostname).toBe(key.address);
            const publicKeyFile = await execa("docker", ["exec", tor, "cat", "/var/lib/tor/hs-web/hs_ed25519_public_key"], {
                encoding: "buffer",
            });
            expect(Buffer.from(publicKeyFromTorFile(publicKeyFile.stdout))).toEqual(Buffer.from(key.publicKey));
            // The key file as the entrypoint installed it, and the client it authorized.
            expect(await sh(tor, "stat -c '%a %U' /var/lib/tor/hs-web/hs_ed25519_secret_key")).toBe("600 debian-tor");
            expect(await sh(tor, "stat -c '%a %U' /var/lib/tor/hs-web /var/lib/tor/hs-web/authorized_clients")).toBe(
                "700 debian-tor\n700 debian-tor",
            );
            expect(await sh(tor, "cmp /run/secrets/onion-web-secret /var/lib/tor/hs-web/hs_ed25519_secret_key && echo same")).toBe("same");
            expect(await sh(tor, "ls /var/lib/tor/hs-web/authorized_clients")).toBe("client1.auth");
            expect(await sh(tor, "cat /var/lib/tor/hs-web/authorized_clients/client1.auth")).toBe(auth.serviceLine);
        });

        it("runs tor as debian-tor, not root", async () => {
            expect(await userOfPid1(tor)).toBe("debian-tor");
            expect(await sh(tor, "ps -o comm= -p 1")).toBe("tor");
            expect(await sh(tor, "ps -C tor -o user:20= | sort -u")).toBe("debian-tor");
        });

        it("points a named HiddenServicePort target at a local forwarder that reaches the container", async () => {
            const rendered = await sh(tor, "cat /run/bcm-tor/torrc");
            expect(rendered).toContain("HiddenServicePort 80 127.0.0.1:20000");
            expect(rendered).not.toContain(web);
            expect(rendered).toMatch(/^DisableNetwork 1$/m);
            const logs = await execa("docker", ["logs", tor], { reject: false });
            expect(logs.stderr).toContain(`HiddenServicePort target ${web}:8080 -> 127.0.0.1:20000`);
            // The forwarder runs as debian-tor and leads to the web container.
            expect(await sh(tor, "ps -C socat -o user:20= | sort -u")).toBe("debian-tor");
            const page = await sh(tor, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -q 2 127.0.0.1 20000 | head -n 1");
            expect(page).toMatch(/^HTTP\/1\.[01] 200/);
            // Tor read it all without complaint: no errors, no warnings but the 0.0.0.0 SocksPort one.
            const complaints = logs.stdout.split("\n").filter((l) => /\[(warn|err)\]/.test(l) && !/public address '0\.0\.0\.0:9050' for SocksPort/.test(l));
            expect(complaints).toEqual([]);
            expect(logs.stdout).toContain("DisableNetwork is set");
        });

        it("has nc for health checks of the SOCKS port", async () => {
            expect(await sh(tor, "command -v nc")).toBe("/usr/bin/nc");
        });

        it("starts while a target does not resolve yet (the forwarder resolves it on each connection)", async () => {
            const later = path.join(dir, "torrc-later");
            const host = `${run}-notyet`;
            fs.writeFileSync(later, torrcFor(`${host}:8080`));
            const name = `${run}-tor-later`;
            containers.push(name);
            await docker("run", "-d", "--name", name, "--network", network, "-v", `${later}:/etc/bcm/torrc:ro`, tags.tor);
            const running = await waitFor(`tor in ${name}`, 30, async () => ((await sh(name, "ps -o comm= -p 1")) === "tor" ? true : undefined));
            expect(running).toBe(true);
            // Nothing answers yet: the forwarder accepts and closes.
            expect(await sh(name, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -q 2 127.0.0.1 20000 | head -c 20 | wc -c")).toBe("0");
        });
    });

    describe("registry", () => {
        let registry = "";
        let port = "";
        const hostPort = async (container: string) => (await docker("port", container, "5000/tcp")).split("\n")[0].replace(/^.*:/, "");
        const waitUp = (p: string) =>
            waitFor(`the registry on 127.0.0.1:${p}`, 60, async () => ((await fetch(`http://127.0.0.1:${p}/v2/`)).ok ? true : undefined));

        beforeAll(async () => {
            registry = await start("registry", "--network", network, "-p", "127.0.0.1::5000", tags.registry);
            port = await hostPort(registry);
            await waitUp(port);
        });

        it("runs as docker-registry, not root", async () => {
            expect(await userOfPid1(registry)).toBe("docker-registry");
            expect(await sh(registry, "stat -c %U /var/lib/docker-registry")).toBe("docker-registry");
        });

        it("takes a push of the debian image, lists it in its catalog, and serves it back", async () => {
            const ref = `127.0.0.1:${port}/bcm/debian:x`;
            tagsToRemove.push(ref);
            await docker("tag", tags.debian, ref);
            await docker("push", ref);
            const catalog = (await (await fetch(`http://127.0.0.1:${port}/v2/_catalog`)).json()) as { repositories: string[] };
            expect(catalog.repositories).toContain("bcm/debian");
            await docker("rmi", ref);
            await docker("pull", ref);
            expect(await docker("image", "inspect", "-f", "{{.Id}}", ref)).toBe(await docker("image", "inspect", "-f", "{{.Id}}", tags.debian));
        });

        it("as a pull-through mirror (REGISTRY_PROXY_REMOTEURL) of the first, serves the image it never received", async () => {
            const upstream = `http://${await ipOf(registry)}:5000`;
            const mirror = await start("mirror", "--network", network, "-p", "127.0.0.1::5000", "-e", `REGISTRY_PROXY_REMOTEURL=${upstream}`, tags.registry);
            const mirrorPort = await hostPort(mirror);
            await waitUp(mirrorPort);
            // The manifest and every blob, fetched through the mirror and checked against their digests.
            const base = `http://127.0.0.1:${mirrorPort}/v2/bcm/debian`;
            const response = await fetch(`${base}/manifests/x`, { headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } });
            expect(response.ok).toBe(true);
            const manifest = (await response.json()) as { config: { digest: string }; layers: { digest: string }[] };
            for (const { digest } of [manifest.config, ...manifest.layers]) {
                const blob = Buffer.from(await (await fetch(`${base}/blobs/${digest}`)).arrayBuffer());
                expect(`sha256:${createHash("sha256").update(blob).digest("hex")}`).toBe(digest);
            }
            // And docker pulls it through the mirror.
            const ref = `127.0.0.1:${mirrorPort}/bcm/debian:x`;
            tagsToRemove.push(ref);
            await docker("pull", ref);
            expect(await docker("image", "inspect", "-f", "{{.Id}}", ref)).toBe(await docker("image", "inspect", "-f", "{{.Id}}", tags.debian));
            const logs = await execa("docker", ["logs", mirror], { reject: false });
            expect(logs.stderr + logs.stdout).toContain(`Registry configured as a proxy cache to ${upstream}`);
        });
    });

    describe("toolbox", () => {
        it("has dig, curl, nc, ip and python3", async () => {
            const out = await docker("run", "--rm", tags.toolbox, "sh", "-c", "for c in dig curl nc ip python3; do command -v $c; done");
            expect(out.split("\n")).toEqual(["/usr/bin/dig", "/usr/bin/curl", "/usr/bin/nc", "/usr/sbin/ip", "/usr/bin/python3"]);
        });

        it("looks up, connects to and fetches from a container on its network", async () => {
            const ip = await ipOf(web);
            const box = await start("toolbox", "--network", network, tags.toolbox);
            expect(await sh(box, `dig +short ${web} @127.0.0.11`)).toBe(ip);
            await waitFor("the web server", 30, async () => ((await sh(box, `nc -z ${web} 8080 && echo open`)) === "open" ? true : undefined));
            expect(await sh(box, `curl -fsS -o /dev/null -w '%{http_code}' http://${web}:8080/`)).toBe("200");
            // Its default command idles, and stops on SIGTERM (exit 0; a process that ignored it would be killed, 137).
            await docker("stop", box);
            expect(await docker("inspect", "-f", "{{.State.ExitCode}}", box)).toBe("0");
        });
    });
});
