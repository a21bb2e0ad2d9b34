// One-shot services for the data-center tests: run a script in a task placed by a
// constraint, wait for it to finish, return its logs. Talks to the manager's docker socket.
import { execa } from "execa";

export const docker = (host: string, args: string[], opts: { reject?: boolean } = {}) =>
    execa("docker", ["-H", host, ...args], { reject: opts.reject ?? true, stdin: "ignore" });

/** Polls a service's first task until its state matches, failing on Rejected/Failed unless wanted. */
export async function waitForTask(host: string, name: string, want: RegExp, seconds = 180): Promise<{ state: string; node: string }> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        const ps = await docker(host, ["service", "ps", name, "--format", "{{.CurrentState}}|{{.Node}}|{{.Error}}", "--no-trunc"]);
        const [state = "", node = "", error = ""] = (ps.stdout.split("\n")[0] ?? "").split("|");
        if (want.test(state)) return { state, node };
        if (/^Rejected/.test(state) || (/^Failed/.test(state) && !want.test("Failed"))) throw new Error(`service ${name}: ${state} ${error}`);
        if (Date.now() > deadline) throw new Error(`service ${name}: still ${state} ${error} after ${seconds} s`);
        await new Promise((r) => setTimeout(r, 1000));
    }
}

/** Runs a one-shot service where `constraint` places it; returns the node it ran on, its final state and its output. */
export async function runOnce(
    host: string,
    name: string,
    image: string,
    networks: string[],
    constraint: string,
    script: string,
): Promise<{ node: string; state: string; out: string }> {
    await docker(host, [
        "service", "create", "--detach", "--name", name, "--restart-condition", "none", "--endpoint-mode", "dnsrr",
        "--constraint", constraint, ...networks.flatMap((n) => ["--network", n]),
        image, "sh", "-c", script,
    ]);
    try {
        const { node, state } = await waitForTask(host, name, /^(Complete|Failed)/);
        return { node, state, out: await serviceLogs(host, name) };
    } finally {
        await docker(host, ["service", "rm", name], { reject: false });
    }
}

/** A finished service's logs. `docker service logs` hangs at times and never returns (docker/cli#4678): each try has a minute. */
async function serviceLogs(host: string, name: string): Promise<string> {
    let last = "";
    for (let attempt = 1; attempt <= 3; attempt++) {
        const r = await execa("docker", ["-H", host, "service", "logs", "--raw", name], { reject: false, stdin: "ignore", timeout: 60_000 });
        if (!r.timedOut && r.exitCode === 0) return r.stdout;
        last = r.timedOut ? "no answer within 60 s" : r.stderr;
    }
    throw new Error(`docker service logs ${name}: ${last} (3 tries)`);
}
