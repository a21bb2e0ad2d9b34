import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { loginThenTransferScript, secretVariables, transferScript } from "./imageTransfer";

// The transfer's shell scripts, run by the real /bin/sh against a stand-in `docker` (and
// `sleep`) on PATH that records each call: its arguments, its standard input for a login,
// which secrets its environment held and its DOCKER_CONFIG.
const stub = `#!/bin/sh
secrets=""
for v in ${secretVariables.join(" ")}; do eval "[ -n \\"\\\${$v:-}\\" ]" && secrets="$secrets $v"; done
input=""
case " $* " in *" login "*) input=$(cat); [ "$input" = "$LOGIN_ACCEPTS" ] || { echo "$* | stdin=$input | secrets=$secrets | config=\${DOCKER_CONFIG:-}" >> "$LOG"; exit 1; }; echo '{}' > "$DOCKER_CONFIG/config.json" ;; esac
echo "$* | stdin=$input | secrets=$secrets | config=\${DOCKER_CONFIG:-}" >> "$LOG"
case " $* " in
  *" image inspect --format "*) echo "$PUSHED_DIGEST" ;;
  " -H "*" image inspect "*) exit 1 ;;
  *" save "*) echo image-bytes ;;
  *" load "*) cat >/dev/null ;;
esac
exit 0
`;

interface Call {
    args: string;
    stdin: string;
    secrets: string[];
    config: string;
}

async function transfer(env: Record<string, string>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-transfer-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "docker"), stub, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const log = path.join(dir, "calls");
    fs.writeFileSync(log, "");
    const result = await execa("/bin/sh", ["-c", loginThenTransferScript], {
        env: {
            PATH: `${bin}:/usr/bin:/bin`,
            HOME: dir,
            LOG: log,
            TMPDIR: dir,
            TRANSFER_SCRIPT: transferScript,
            SOURCE: "bcm/btcd:abc",
            TARGET_DOCKER: "unix:///sock",
            PUSHED_DIGEST: "127.0.0.1:5011/bcm/btcd@sha256:00ff",
            PULUMI_CONFIG_PASSPHRASE: "stack passphrase",
            LOGIN_ACCEPTS: "push password",
            ...env,
        },
        extendEnv: false,
        reject: false,
    });
    const calls: Call[] = fs
        .readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => {
            const [args, stdin, secrets, config] = l.split(" | ");
            return { args, stdin: stdin.slice("stdin=".length), secrets: secrets.slice("secrets=".length).trim().split(" ").filter(Boolean), config: config.slice("config=".length) };
        });
    const leftDirs = fs.readdirSync(dir).filter((f) => f.startsWith("tmp."));
    fs.rmSync(dir, { recursive: true, force: true });
    return { ...result, calls, leftDirs };
}

const push = { REGISTRY: "127.0.0.1:5010", PUSH: "true", PUSH_REGISTRY: "127.0.0.1:5011", REGISTRY_USER: "bcm-push", REGISTRY_PASSWORD: "push password" };

describe("the image transfer's scripts", () => {
    it("logs in with the password on standard input, then loads and pushes with no secret in any environment", async () => {
        const r = await transfer(push);
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe("127.0.0.1:5010/bcm/btcd@sha256:00ff");
        const [login, ...rest] = r.calls;
        expect(login.args).toBe("-H unix:///sock login --username bcm-push --password-stdin 127.0.0.1:5011");
        expect(login.stdin).toBe("push password");
        expect(r.calls.every((c) => !c.args.includes("push password"))).toBe(true);
        expect(rest.map((c) => c.args.split(" ").slice(2, 4).join(" "))).toEqual(
            expect.arrayContaining(["image inspect", "load -q", "tag bcm/btcd:abc", "push -q"]),
        );
        expect(rest.filter((c) => c.secrets.length > 0)).toEqual([]);
        // The push uses the login's configuration, which is gone at the end.
        const pushCall = rest.find((c) => c.args.includes(" push "));
        expect(pushCall?.config).toBe(login.config);
        expect(login.config).not.toBe("");
        expect(r.leftDirs).toEqual([]);
    });

    it("fails in one line when the login never succeeds, and removes the login's directory", async () => {
        const r = await transfer({ ...push, LOGIN_ACCEPTS: "another password" });
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toBe("docker login to 127.0.0.1:5011 failed");
        expect(r.calls).toHaveLength(30);
        expect(r.calls.some((c) => c.args.includes(" push "))).toBe(false);
        expect(r.leftDirs).toEqual([]);
    });

    it("without credentials logs in nowhere and leaves the controller's own DOCKER_CONFIG alone", async () => {
        const own = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-own-config-"));
        try {
            const r = await transfer({ REGISTRY: "127.0.0.1:5010", PUSH: "true", DOCKER_CONFIG: own });
            expect(r.exitCode).toBe(0);
            expect(r.calls.some((c) => c.args.includes("login"))).toBe(false);
            expect(r.calls.find((c) => c.args.includes(" push "))?.args).toBe("-H unix:///sock push -q 127.0.0.1:5010/bcm/btcd:abc");
            expect(fs.existsSync(own)).toBe(true);
        } finally {
            fs.rmSync(own, { recursive: true, force: true });
        }
    });

    it("only tags when told not to push, and only loads without a registry", async () => {
        const tagged = await transfer({ REGISTRY: "127.0.0.1:5010", PUSH: "false" });
        expect(tagged.stdout).toBe("127.0.0.1:5010/bcm/btcd:abc");
        expect(tagged.calls.some((c) => / (push|login) /.test(c.args))).toBe(false);
        const loaded = await transfer({ PUSH: "true" });
        expect(loaded.stdout).toBe("bcm/btcd:abc");
        // save and load are the two ends of one pipe: either may log first.
        expect(loaded.calls.map((c) => c.args).sort()).toEqual(["image inspect bcm/btcd:abc", "-H unix:///sock image inspect bcm/btcd:abc", "save bcm/btcd:abc", "-H unix:///sock load -q"].sort());
    });
});
