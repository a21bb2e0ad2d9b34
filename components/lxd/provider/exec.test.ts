import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { FakeLxd, FakeRoute, envelope } from "../../testing/fakeLxd";
import { diffExec } from "./diff";
import { commandFailed, execHandler, lastLines, shownCommand } from "./exec";
import { LxdProvider } from "./provider";

const urn = "urn:pulumi:dev::bcm::lxd:index:Exec::setup";
const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

/** What the fake instance's commands do: exit code and output for an argv and environment. */
type Behaviour = (argv: string[], env: Record<string, string>) => { code?: number; stdout?: string; stderr?: string; running?: boolean };

/**
 * One instance, "web", as LXD 5.0.2 answers for it: its state and uuid, and exec in
 * record-output mode (an operation whose metadata holds the exit code and log paths).
 */
function instanceRoute(world: { exists: boolean; status: string; uuid: string; run: Behaviour; ran: { argv: string[]; env: Record<string, string> }[] }): FakeRoute {
    const pending = new Map<string, ReturnType<Behaviour>>();
    return (r) => {
        if (r.path === "/1.0") return envelope.sync({ auth: "trusted", api_extensions: [] });
        if (r.path === "/1.0/instances/web" && r.method === "GET") {
            return world.exists
                ? envelope.sync({ name: "web", status: world.status, config: { "volatile.uuid": world.uuid }, devices: {}, profiles: [] })
                : envelope.error(404, "Instance not found");
        }
        if (r.path === "/1.0/instances/web/exec" && r.method === "POST") {
            const body = JSON.parse(r.body.toString());
            world.ran.push({ argv: body.command, env: body.environment });
            const id = `op${world.ran.length}`;
            pending.set(id, world.run(body.command, body.environment));
            return envelope.async(id);
        }
        const wait = /^\/1\.0\/operations\/(op\d+)\/wait/.exec(r.path);
        if (wait) {
            const outcome = pending.get(wait[1])!;
            if (outcome.running) return envelope.operation(wait[1], 103);
            const logs = `/1.0/instances/web/logs/exec_${wait[1]}`;
            return envelope.operation(wait[1], 200, { return: outcome.code ?? 0, output: { "1": `${logs}.stdout`, "2": `${logs}.stderr` } });
        }
        const log = /^\/1\.0\/instances\/web\/logs\/exec_(op\d+)\.(stdout|stderr)$/.exec(r.path);
        if (log) {
            if (r.method === "DELETE") return envelope.sync({});
            return { body: pending.get(log[1])![log[2] as "stdout" | "stderr"] ?? "" };
        }
        return undefined;
    };
}

describe("lxd:index:Exec against a fake daemon", () => {
    const provider = new LxdProvider();
    const world = { exists: true, status: "Running", uuid: "uuid-1", run: (() => ({})) as Behaviour, ran: [] as { argv: string[]; env: Record<string, string> }[] };
    let fake: FakeLxd;
    const inputs = (over: Record<string, unknown> = {}) => ({
        instance: "web",
        create: ["sh", "-c", "echo hello > /tmp/f; echo hello"],
        environment: { GREETING: "hello" },
        triggers: [],
        timeoutSeconds: 300,
        endpoint: { url: fake.url },
        ...over,
    });

    beforeAll(async () => {
        fake = await FakeLxd.start(instanceRoute(world));
    });
    afterAll(() => fake.stop());
    beforeEach(() => {
        Object.assign(world, { exists: true, status: "Running", uuid: "uuid-1", run: () => ({}), ran: [] });
        fake.requests.length = 0;
    });

    it("runs create with the environment; stdout loses one trailing newline, stderr is kept as is", async () => {
        world.run = () => ({ stdout: "hello\n\n", stderr: "warning\n" });
        const { id, outs } = await provider.create(urn, inputs());
        expect(world.ran).toEqual([{ argv: ["sh", "-c", "echo hello > /tmp/f; echo hello"], env: { GREETING: "hello" } }]);
        expect(id).toMatch(/^web\/[0-9a-f]{8}$/);
        expect(outs).toEqual({ ...inputs(), stdout: "hello\n", stderr: "warning\n", instanceUuid: "uuid-1" });
    });

    it("fails a non-zero exit naming the instance, the command and the end of stderr", async () => {
        const stderr = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
        world.run = () => ({ code: 3, stdout: "half done\n", stderr });
        const err = await provider.create(urn, inputs({ create: ["sh", "-c", "exit 3"] })).catch((e: Error) => e);
        expect(err).toBeInstanceOf(Error);
        const message = (err as Error).message;
        expect(message).toMatch(
            /^create: the command \["sh","-c","exit 3"\] exited with 3 in instance web on unix:.*; nothing was recorded; fix the command \(or what it needs in the instance\) and run up again\. Its stderr ended with:\n    \(10 earlier lines left out\)\n    line 11\n/,
        );
        expect(message.endsWith("    line 30")).toBe(true);
        expect(err).not.toHaveProperty("id"); // no id: the engine records nothing
    });

    it("shows stdout when a failed command wrote nothing to stderr", () => {
        const message = commandFailed("delete", ["false"], "web", "unix:///s", { exitCode: 1, stdout: "why\n", stderr: "" });
        expect(message).toBe(
            'delete: the command ["false"] exited with 1 in instance web on unix:///s; the Exec stays in the stack\'s state; fix the command ' +
                "(an up records a new delete command without running anything) or the instance, then delete again. Its stderr was empty; its stdout ended with:\n    why",
        );
        expect(shownCommand(["sh", "-c", "x".repeat(300)])).toHaveLength(201);
        expect(lastLines("a\nb\n", 1)).toBe("    (1 earlier lines left out)\n    b");
    });

    it("names a missing or stopped instance before running anything", async () => {
        world.exists = false;
        await expect(provider.create(urn, inputs())).rejects.toThrow(
            /^instance: there is no instance "web" on unix:.*; create it first \(pass an lxd:index:Instance's name output, so the Exec waits for it\) or fix the name$/,
        );
        world.exists = true;
        world.status = "Stopped";
        await expect(provider.create(urn, inputs())).rejects.toThrow(
            /^instance: instance web on unix:.* is Stopped, and commands run only in a running instance; start it \(running: true on its lxd:index:Instance\) and run up again$/,
        );
        expect(world.ran).toEqual([]);
    });

    it("says which timeout to raise when the command does not finish", async () => {
        world.run = () => ({ running: true });
        await expect(provider.create(urn, inputs({ timeoutSeconds: 1 }))).rejects.toThrow(
            /^timeoutSeconds: the create command \["sh","-c","echo hello > \/tmp\/f; echo hello"\] in instance web on unix:.* did not finish in 1 s and may still be running there; raise timeoutSeconds or make the command finish sooner$/,
        );
    });

    it("marks stdout and stderr secret when an input is secret, but not for the endpoint's key alone", async () => {
        world.run = () => ({ stdout: "token is s3cr3t-value\n" });
        const withSecret = await provider.create(urn, inputs({ environment: { TOKEN: secret("s3cr3t-value") } }));
        expect(world.ran[0].env).toEqual({ TOKEN: "s3cr3t-value" });
        expect(withSecret.outs.stdout).toEqual(secret("token is s3cr3t-value"));
        expect(withSecret.outs.stderr).toEqual(secret(""));
        expect(withSecret.outs.environment).toEqual({ TOKEN: secret("s3cr3t-value") });
        const keyOnly = await provider.create(urn, inputs({ endpoint: { url: fake.url, clientKey: secret("k") } }));
        expect(keyOnly.outs.stdout).toBe("token is s3cr3t-value");
    });

    it("keeps secrets out of the error of a failed command", async () => {
        world.run = (_argv, env) => ({ code: 1, stderr: `bad token ${env.TOKEN}\n` });
        await expect(provider.create(urn, inputs({ create: ["login", secret("--password=hunter22")], environment: { TOKEN: secret("s3cr3t-value") } }))).rejects.toThrow(
            /^create: the command \["login","\[secret\]"\] exited with 1 .*\n    bad token \[secret\]$/,
        );
    });

    it("runs the delete command, and succeeds silently when the instance is gone or was recreated", async () => {
        const state = { ...inputs(), delete: ["rm", "/tmp/f"], stdout: "hello", stderr: "", instanceUuid: "uuid-1" };
        await provider.delete("web/1", urn, state);
        expect(world.ran).toEqual([{ argv: ["rm", "/tmp/f"], env: { GREETING: "hello" } }]);
        world.uuid = "uuid-2";
        await provider.delete("web/1", urn, state);
        world.exists = false;
        await provider.delete("web/1", urn, state);
        expect(world.ran).toHaveLength(1);
    });

    it("does not even connect when there is no delete command", async () => {
        await provider.delete("web/1", urn, { ...inputs(), endpoint: { url: "unix:///nonexistent/unix.socket" } });
        expect(fake.requests).toEqual([]);
    });

    it("fails a delete in a stopped instance, saying how to get past it", async () => {
        world.status = "Stopped";
        await expect(provider.delete("web/1", urn, { ...inputs(), delete: ["rm", "/tmp/f"], instanceUuid: "uuid-1" })).rejects.toThrow(
            /^delete: instance web on unix:.* is Stopped, and commands run only in a running instance; start it and delete again, or first run up with `delete` removed from the Exec \(that runs nothing\) and then delete$/,
        );
    });

    it("keeps itself on refresh while its instance lives, and drops out when the instance is gone or recreated", async () => {
        const state = { ...inputs(), stdout: secret("hello"), stderr: "", instanceUuid: "uuid-1" };
        const read = await provider.read("web/1", urn, state);
        expect(read).toMatchObject({ id: "web/1", props: { stdout: secret("hello"), instanceUuid: "uuid-1" } });
        world.uuid = "uuid-2";
        expect(await provider.read("web/1", urn, state)).toEqual({ id: "", props: {} });
        world.exists = false;
        expect(await provider.read("web/1", urn, state)).toEqual({ id: "", props: {} });
        await expect(provider.read("web/1", urn, {})).rejects.toThrow("lxd:index:Exec web/1 cannot be imported");
    });

    it("records a new delete command or timeout without running anything, keeping stdout and its secrecy", async () => {
        const olds = { ...inputs({ environment: { T: secret("abcd") } }), stdout: secret("out"), stderr: secret(""), instanceUuid: "uuid-1" };
        const { outs } = await provider.update("web/1", urn, olds, inputs({ environment: { T: secret("abcd") }, delete: ["true"], timeoutSeconds: 60 }));
        expect(outs).toMatchObject({ delete: ["true"], timeoutSeconds: 60, stdout: secret("out"), instanceUuid: "uuid-1" });
        expect(world.ran).toEqual([]);
    });
});

describe("Exec checks and diffs", () => {
    const check = (news: Record<string, unknown>) => execHandler.check(urn, {}, news);

    it("fills defaults", async () => {
        const { inputs, failures } = await check({ instance: "web", create: ["true"] });
        expect(failures).toEqual([]);
        expect(inputs).toEqual({
            instance: "web",
            create: ["true"],
            delete: undefined,
            environment: {},
            triggers: [],
            timeoutSeconds: 300,
            endpoint: { url: "unix:///var/lib/lxd/unix.socket" },
        });
    });

    it("names each bad field and what to write instead", async () => {
        const missing = await check({});
        expect(missing.failures.map((f) => f.reason)).toEqual([
            "instance: is required (the name of the instance to run in, e.g. an lxd:index:Instance's name output)",
            'create: is required: the command as a list, the program first, e.g. ["sh", "-c", "echo hi > /tmp/f"]',
        ]);
        const bad = await check({
            instance: "web",
            create: "echo hi",
            delete: ["", 3],
            environment: { "A-B": "1", N: 2 },
            triggers: "x",
            timeoutSeconds: 0,
        });
        expect(bad.failures.map((f) => f.reason)).toEqual([
            'create: must be a list, the program first; to run "echo hi" through a shell write ["sh", "-c", "echo hi"]',
            "delete[1]: must be a string, got 3",
            "delete[0]: is the program to run and cannot be empty",
            'environment["A-B"]: is not a variable name: letters, digits and underscores, not starting with a digit',
            'environment["N"]: must be a string: write "2"',
            "triggers: must be a list, e.g. [someResource.id], got \"x\"",
            "timeoutSeconds: must be a positive number of seconds, got 0",
        ]);
    });

    it("lets unknown values through during preview", async () => {
        const { failures } = await check({ instance: unknownValue, create: ["sh", unknownValue], environment: { A: unknownValue }, triggers: unknownValue });
        expect(failures).toEqual([]);
    });

    const state = { instance: "web", create: ["true"], delete: ["false"], environment: { A: "1" }, triggers: [1], timeoutSeconds: 300, endpoint: {}, stdout: "", stderr: "", instanceUuid: "u" };
    const { stdout: _o, stderr: _e, instanceUuid: _u, ...news } = state;

    it("has nothing to do when the inputs are the same", () => {
        expect(diffExec(state, news)).toEqual({ replaces: [], updates: [], deleteBeforeReplace: false });
    });

    it("runs create again (a replacement, new first) for a new instance, command, environment or trigger", () => {
        for (const [key, value] of [["instance", "api"], ["create", ["false"]], ["environment", { A: "2" }], ["triggers", [2]]] as const) {
            expect(diffExec(state, { ...news, [key]: value })).toEqual({ replaces: [key], updates: [], deleteBeforeReplace: false });
        }
        expect(diffExec(state, { ...news, triggers: unknownValue }).replaces).toEqual(["triggers"]);
    });

    it("only records a new delete command, timeout or endpoint", () => {
        expect(diffExec(state, { ...news, delete: undefined, timeoutSeconds: 10 })).toEqual({ replaces: [], updates: ["delete", "timeoutSeconds"], deleteBeforeReplace: false });
    });
});
