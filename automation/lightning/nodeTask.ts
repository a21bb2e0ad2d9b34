// A command in a service's running task, the way an operator would run it on the node itself:
// `docker exec` inside the tier container that runs the task, through the LXD API (no RPC
// port is published anywhere). Standard input, when given, goes over LXD's websocket exec.
import { exec, ExecResult, execWithStdin } from "../../components/lxd/client";
import { clientOf, DeployedNode, taskContainer } from "./deployed";
import { taskExecScript } from "./decisions";

export async function runInTask(node: DeployedNode, service: string, command: string[], stdin?: Buffer): Promise<ExecResult> {
    const container = await taskContainer(node, service);
    const client = await clientOf(node, container);
    const argv = ["sh", "-c", taskExecScript(stdin !== undefined), "sh", service, ...command];
    return stdin !== undefined ? execWithStdin(client, container, argv, { stdin, timeoutSeconds: 600 }) : exec(client, container, argv, { timeoutSeconds: 600 });
}
