import * as crypto from "node:crypto";
import { LxdClient } from "../client/client";
import { Endpoint } from "../client/endpoint";
import { LxdError, messageOf } from "../client/errors";
import { ExecResult, exec } from "../client/exec";
import { execWithStdin } from "../client/execStdin";
import { InstanceInfo, getInstance } from "../client/instances";
import { connect } from "./connection";
import { diffExec } from "./diff";
import { Props, ResourceHandler } from "./handler";
import { Checker, instanceNamePattern } from "./validate";

/** An Exec's checked inputs. */
interface ExecInputs {
    instance: string;
    create: string[];
    delete?: string[];
    environment: Record<string, string>;
    stdin?: string;
    triggers: unknown[];
    timeoutSeconds: number;
    endpoint: Endpoint;
}

/** How many characters of a command an error shows, and how many lines of its output. */
const shownCommandChars = 200;
const shownOutputLines = 20;

/**
 * lxd:index:Exec: a command run inside an instance through the LXD API on create (its
 * stdout is an output), and optionally another on delete. There is nothing in LXD to read
 * back, so the state is the record that the command ran; what can go is the instance, and
 * with it the effect: refresh drops an Exec whose instance is gone or was recreated (its
 * `volatile.uuid` changed), so the next up runs the command again.
 */
export const execHandler: ResourceHandler = {
    async check(_urn, _olds, news) {
        const c = new Checker(news);
        const inputs: Props = {
            instance: c.string("instance", {
                required: true,
                pattern: instanceNamePattern,
                hint: "the name of the instance to run in, e.g. an lxd:index:Instance's name output",
            }),
            create: c.argv("create", { required: true }),
            delete: c.argv("delete"),
            environment: c.environment("environment"),
            stdin: c.string("stdin"),
            triggers: c.list("triggers"),
            timeoutSeconds: c.seconds("timeoutSeconds", 300),
            endpoint: c.endpoint(),
        };
        return { inputs, failures: c.failures };
    },

    diff: diffExec,

    derivedOutputs: ["stdout", "stderr"],

    async create(props) {
        const inputs = props as unknown as ExecInputs;
        const client = await connect(inputs.endpoint);
        const found = await getInstance(client, inputs.instance);
        if (!found) {
            throw new Error(
                `instance: there is no instance "${inputs.instance}" on ${client.url}; create it first ` +
                    "(pass an lxd:index:Instance's name output, so the Exec waits for it) or fix the name",
            );
        }
        requireRunning(found.instance, client, "instance", "start it (running: true on its lxd:index:Instance) and run up again");
        const result = await runCommand(client, inputs, "create");
        const id = `${inputs.instance}/${crypto.randomBytes(4).toString("hex")}`;
        return {
            id,
            outs: {
                ...props,
                stdout: result.stdout.endsWith("\n") ? result.stdout.slice(0, -1) : result.stdout,
                stderr: result.stderr,
                instanceUuid: found.instance.config["volatile.uuid"] ?? "",
            },
        };
    },

    async read(id, props) {
        if (typeof props.instance !== "string") {
            throw new Error(
                `lxd:index:Exec ${id} cannot be imported: LXD keeps no record of a command that ran; declare it and let up run it`,
            );
        }
        const client = await connect(props.endpoint as Endpoint | undefined);
        const found = await getInstance(client, props.instance);
        if (!found || !sameInstance(found.instance, props)) {
            return {}; // the instance it ran in is gone, and with it what the command did
        }
        return { id, props };
    },

    async update(_id, olds, news) {
        // Only the delete command, the timeout and the endpoint changed: recorded, nothing runs.
        return { ...news, stdout: olds.stdout, stderr: olds.stderr, instanceUuid: olds.instanceUuid };
    },

    async delete(_id, props) {
        const inputs = props as unknown as ExecInputs;
        if (!inputs.delete || inputs.delete.length === 0) {
            return;
        }
        const client = await connect(inputs.endpoint);
        const found = await getInstance(client, inputs.instance);
        if (!found || !sameInstance(found.instance, props)) {
            return; // nothing left to undo in
        }
        requireRunning(
            found.instance,
            client,
            "delete",
            "start it and delete again, or first run up with `delete` removed from the Exec (that runs nothing) and then delete",
        );
        await runCommand(client, inputs, "delete");
    },
};

/** True unless the instance was recreated since the command ran in it (another `volatile.uuid`). */
function sameInstance(live: InstanceInfo, props: Props): boolean {
    const recorded = props.instanceUuid;
    const current = live.config["volatile.uuid"];
    return typeof recorded !== "string" || recorded === "" || current === undefined || recorded === current;
}

/** Commands run only in a running instance; LXD's own "Instance is not running" does not say what to do. */
function requireRunning(live: InstanceInfo, client: LxdClient, field: string, fix: string): void {
    if (live.status !== "Running") {
        throw new Error(`${field}: instance ${live.name} on ${client.url} is ${live.status}, and commands run only in a running instance; ${fix}`);
    }
}

/** Runs the create or delete command; a non-zero exit, a failure to start it or a timeout is an error naming it. */
async function runCommand(client: LxdClient, inputs: ExecInputs, which: "create" | "delete"): Promise<ExecResult> {
    const argv = inputs[which]!;
    let result: ExecResult;
    try {
        const opts = { environment: inputs.environment, timeoutSeconds: inputs.timeoutSeconds };
        // stdin goes over LXD's websocket: a secret there is on no command line (LXD puts the
        // environment on its exec helper's, on the host).
        result =
            which === "create" && inputs.stdin !== undefined
                ? await execWithStdin(client, inputs.instance, argv, { ...opts, stdin: Buffer.from(inputs.stdin) })
                : await exec(client, inputs.instance, argv, opts);
    } catch (err) {
        if (err instanceof LxdError && err.status === 0 && err.lxdMessage.startsWith("still ")) {
            throw new Error(
                `timeoutSeconds: the ${which} command ${shownCommand(argv)} in instance ${inputs.instance} on ${client.url} ` +
                    `did not finish in ${inputs.timeoutSeconds} s and may still be running there; raise timeoutSeconds or make the command finish sooner`,
            );
        }
        throw new Error(`${which}: ${messageOf(err)}`);
    }
    if (result.exitCode !== 0) {
        throw new Error(commandFailed(which, argv, inputs.instance, client.url, result));
    }
    return result;
}

/** The command as an error shows it: JSON (unambiguous about spaces and quotes), cut at 200 characters. */
export function shownCommand(argv: string[]): string {
    const text = JSON.stringify(argv);
    return text.length > shownCommandChars ? `${text.slice(0, shownCommandChars)}…` : text;
}

/** The last lines of an output, for an error message. */
export function lastLines(text: string, n = shownOutputLines): string {
    const lines = text.replace(/\s+$/, "").split("\n");
    const shown = lines.slice(-n);
    return (lines.length > n ? [`(${lines.length - n} earlier lines left out)`, ...shown] : shown).map((l) => `    ${l}`).join("\n");
}

/**
 * The error of a command that exited non-zero: which command, where, the exit code, what
 * it means for the state, and the end of its stderr (of stdout when stderr is empty).
 */
export function commandFailed(which: "create" | "delete", argv: string[], instance: string, url: string, result: ExecResult): string {
    const consequence =
        which === "create"
            ? "nothing was recorded; fix the command (or what it needs in the instance) and run up again"
            : "the Exec stays in the stack's state; fix the command (an up records a new delete command without running anything) or the instance, then delete again";
    const head = `${which}: the command ${shownCommand(argv)} exited with ${result.exitCode} in instance ${instance} on ${url}; ${consequence}`;
    if (result.stderr.trim() !== "") {
        return `${head}. Its stderr ended with:\n${lastLines(result.stderr)}`;
    }
    if (result.stdout.trim() !== "") {
        return `${head}. Its stderr was empty; its stdout ended with:\n${lastLines(result.stdout)}`;
    }
    return `${head}. It printed nothing.`;
}
