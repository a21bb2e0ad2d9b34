import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { LxdClient } from "../client/client";
import { exec } from "../client/exec";
import { splitImageFingerprint } from "../client/images";
import { TestImage, templateImage } from "../../testing/lxd/testImage";
import { TestStack } from "../../testing/lxd/testStack";

interface StateResource {
    urn: string;
    type: string;
    outputs?: Record<string, unknown>;
}

// Commands run in a bcm-template container through the API: create's stdout as an
// output, secrets kept secret, a failing command that records nothing, the delete command
// on replacement, removal and destroy, and a destroy after the instance went behind
// Pulumi's back. The container bind-mounts a host directory, so the delete commands'
// effect can be seen after the container itself is gone.
describe("lxd:index:Exec through the engine", () => {
    const client = new LxdClient();
    const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-lxd-exec-"));
    const deletedLog = path.join(hostDir, "deleted");
    const secretValue = `s3cr3t-${process.pid}`;
    const pipedValue = `p1p3d-${process.pid}`;
    let t: TestStack;
    let image: Omit<TestImage, "otherMetadataPath">;
    let fingerprint: string;
    /** An image someone else imported is adopted, not owned: it is neither deleted nor swept. */
    let preexisting: boolean;

    beforeAll(async () => {
        // The unprivileged container's root is an unmapped uid on the host: it may write here.
        fs.chmodSync(hostDir, 0o777);
        image = templateImage();
        process.stderr.write(`test image: ${image.source}\n`);
        fingerprint = await splitImageFingerprint(image);
        t = await TestStack.open("x");
        preexisting = await client.exists(`/1.0/images/${fingerprint}`);
    });
    afterAll(async () => {
        if (t) {
            const left = await t.dispose(preexisting ? [] : [fingerprint]);
            if (left.length > 0) process.stderr.write(`swept up: ${left.join(", ")}\n`);
        }
        fs.rmSync(hostDir, { recursive: true, force: true });
    });

    const name = (n: string) => `${t.prefix}-${n}`;
    const base = () => ({
        images: { tmpl: { metadataPath: image.metadataPath, rootfsPath: image.rootfsPath, aliases: [name("tmpl")] } },
        instances: {
            box: {
                name: name("box"),
                imageKey: "tmpl",
                config: { "security.nesting": "true" },
                devices: { host: { type: "disk", source: hostDir, path: "/mnt/host" } },
            },
        },
    });
    const hello = (trigger: string) => ({
        instanceKey: "box",
        create: ["sh", "-c", 'echo "$GREETING" >> /root/hello; echo "created for $GREETING"; echo "a note" >&2'],
        delete: ["sh", "-c", 'echo "deleted $GREETING" >> /mnt/host/deleted'],
        environment: { GREETING: "hi" },
        triggers: [trigger],
    });
    // A secret in the environment, and one on standard input (over LXD's websocket: on no command line).
    const secret = { instanceKey: "box", create: ["sh", "-c", 'IFS= read -r piped; echo "token=$TOKEN piped=$piped"'], secretEnvironment: { TOKEN: secretValue }, secretStdin: `${pipedValue}\n` };

    const inBox = async (...command: string[]): Promise<string> => (await exec(client, name("box"), command)).stdout;
    const deletions = () => (fs.existsSync(deletedLog) ? fs.readFileSync(deletedLog, "utf8").trim().split("\n") : []);
    const execsInState = async (): Promise<StateResource[]> =>
        ((await t.stack.exportStack()).deployment.resources as StateResource[]).filter((r) => r.type === "lxd:index:Exec");

    it("runs create in the container and records its stdout (trimmed) and stderr", async () => {
        const up = await t.up({ ...base(), execs: { hello: hello("1"), secret } });
        expect(up.summary.resourceChanges).toEqual({ create: 5 }); // stack, image, instance, 2 execs
        const out = up.outputs.execOutputs.value;
        expect(out.hello).toEqual({ stdout: "created for hi", stderr: "a note\n", instance: name("box") });
        expect(await inBox("cat", "/root/hello")).toBe("hi\n");
        expect(out.secret.stdout).toBe(`token=${secretValue} piped=${pipedValue}`);
    });

    it("stores stdout as a secret when an environment value is one, and the secret nowhere in clear", async () => {
        const stored = (await execsInState()).find((r) => r.urn.endsWith("::secret"))!;
        expect(stored.outputs?.stdout).toMatchObject({ [specialSigKey]: specialSecretSig });
        expect((stored.outputs?.environment as Record<string, unknown>).TOKEN).toMatchObject({ [specialSigKey]: specialSecretSig });
        expect(stored.outputs?.stdin).toMatchObject({ [specialSigKey]: specialSecretSig });
        const helloState = (await execsInState()).find((r) => r.urn.endsWith("::hello"))!;
        expect(helloState.outputs?.stdout).toBe("created for hi");
        // An update's history file records the stack's config, where this test passes the value
        // in plain text; the checkpoints hold what the provider returned.
        const checkpoints = t.stateFiles().filter((f) => !f.endsWith(".history.json"));
        expect(checkpoints.length).toBeGreaterThan(0);
        for (const file of checkpoints) {
            expect(fs.readFileSync(file, "utf8")).not.toContain(secretValue);
            expect(fs.readFileSync(file, "utf8")).not.toContain(pipedValue);
        }
    });

    it("has nothing to do on a second up", async () => {
        const up = await t.up({ ...base(), execs: { hello: hello("1"), secret } });
        expect(up.summary.resourceChanges).toEqual({ same: 5 });
    });

    it("runs create again when a trigger changes, and the replaced one's delete command", async () => {
        const up = await t.up({ ...base(), execs: { hello: hello("2"), secret } });
        expect(up.summary.resourceChanges).toEqual({ same: 4, replace: 1 });
        expect(await inBox("cat", "/root/hello")).toBe("hi\nhi\n");
        expect(deletions()).toEqual(["deleted hi"]);
    });

    it("fails on a non-zero exit naming the instance, the command and its stderr, and records nothing", async () => {
        const bad = { instanceKey: "box", create: ["sh", "-c", "echo working; echo 'disk is full' >&2; exit 7"] };
        const message = await t.failingUp({ ...base(), execs: { hello: hello("2"), secret, bad } });
        expect(message).toContain(
            `create: the command ["sh","-c","echo working; echo 'disk is full' >&2; exit 7"] exited with 7 in instance ${name("box")} ` +
                "on unix:///var/lib/lxd/unix.socket; nothing was recorded; fix the command (or what it needs in the instance) and run up again. " +
                "Its stderr ended with:",
        );
        expect(message).toContain("disk is full");
        expect((await execsInState()).map((r) => r.urn.split("::").pop()).sort()).toEqual(["hello", "secret"]);
    });

    it("keeps a secret out of the error when the failing command prints it", async () => {
        const leaky = { instanceKey: "box", create: ["sh", "-c", 'echo "rejected $TOKEN" >&2; exit 1'], secretEnvironment: { TOKEN: secretValue } };
        const message = await t.failingUp({ ...base(), execs: { hello: hello("2"), secret, leaky } });
        expect(message).toContain("rejected [secret]");
        expect(message).not.toContain(secretValue);
        expect((await execsInState()).map((r) => r.urn.split("::").pop()).sort()).toEqual(["hello", "secret"]);
    });

    it("runs the delete command when the Exec leaves the program", async () => {
        const up = await t.up({ ...base(), execs: { secret } });
        expect(up.summary.resourceChanges).toEqual({ same: 4, delete: 1 });
        expect(deletions()).toEqual(["deleted hi", "deleted hi"]);
    });

    it("runs the delete command on destroy, before the instance goes", async () => {
        await t.up({ ...base(), execs: { hello: hello("3"), secret } });
        const destroyed = await t.stack.destroy();
        expect(destroyed.summary.resourceChanges).toEqual({ delete: 5 });
        expect(deletions()).toEqual(["deleted hi", "deleted hi", "deleted hi"]);
        expect(await client.exists(`/1.0/instances/${name("box")}`)).toBe(false);
    });

    it("destroys cleanly after the instance was deleted behind Pulumi's back, without running the delete command", async () => {
        const up = await t.up({ ...base(), execs: { hello: hello("4") } });
        expect(up.summary.resourceChanges).toEqual({ create: 4 });
        execFileSync("lxc", ["delete", "--force", name("box")]);
        const destroyed = await t.stack.destroy();
        expect(destroyed.summary.resourceChanges).toEqual({ delete: 4 });
        expect(deletions()).toHaveLength(3);
        expect(await client.exists(`/1.0/images/${fingerprint}`)).toBe(preexisting);
    });
});
