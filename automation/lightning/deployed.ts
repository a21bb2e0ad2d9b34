// A cluster's deployed Lightning node as the commands reach it: the stack's chain and
// birthday, the services' names, the swarm's Docker API, and the LXD endpoint of each tier
// container. Nothing here is secret but what the stack already holds.
import { execa } from "execa";
import { Chain, Implementation } from "../../components/bitcoin/chains";
import { LxdClient } from "../../components/lxd/client";
import { getInstance } from "../../components/lxd/client/instances";
import { CliError } from "../cli/errors";
import { clientFor, ClusterContext, openCluster, plainConfig } from "../cluster/workspace";
import { chainFor } from "./decisions";

export interface DeployedNode {
    cluster: string;
    chain: Chain;
    /** bcm:bitcoin.lndBirthday, once the tier was deployed. */
    birthday?: string;
    implementation: Implementation;
    /** Swarm service names. */
    lndService: string;
    nodeService: string;
    /** The tier container holding the chain volume (the node's, lnd's and the backups'). */
    chainContainer: string;
    /** The swarm's Docker API (the gateway's socket). */
    dockerHost: string;
    /** The LXD clients of the cluster's endpoints. */
    clients: LxdClient[];
}

/** A cluster's chain and Lightning birthday from its stack, and its bitcoin tier when one is deployed. */
export async function readCluster(cluster: string, ctx: ClusterContext, askedChain?: string): Promise<{ chain: Chain; birthday?: string; node?: DeployedNode }> {
    const { stack, specs, exported, config } = await openCluster(cluster, ctx)
        .then(async (o) => ({ ...o, config: await plainConfig(o.stack) }))
        .catch((err: Error) => {
            // The stack's passphrase comes from the device: another seed does not decrypt it.
            if (/passphrase/i.test(err.message) && !(err instanceof CliError)) {
                throw new CliError(`the device answers for another seed: it does not open cluster ${cluster}'s stack; fix: use the Trezor (and passphrase) that made it`);
            }
            throw err;
        });
    const chain = chainFor(cluster, askedChain, config["bcm:chain"]);
    const settings = JSON.parse(config["bcm:bitcoin"] ?? "{}") as { lndBirthday?: string };
    const dc = ((await stack.outputs()).dataCenter?.value ?? {}) as {
        dockerHost?: string;
        containers?: { name: string }[];
        workloads?: { bitcoin?: { implementation: Implementation; lnd: string; node: string } };
    };
    const bitcoin = dc.workloads?.bitcoin;
    const chainContainer = (dc.containers ?? []).map((c) => c.name).find((n) => /^bcm-bitcoin-\d+$/.test(n));
    if (!bitcoin || !dc.dockerHost || !chainContainer) return { chain, birthday: settings.lndBirthday };
    const node: DeployedNode = {
        cluster,
        chain,
        birthday: settings.lndBirthday,
        implementation: bitcoin.implementation,
        lndService: bitcoin.lnd,
        nodeService: bitcoin.node,
        chainContainer,
        dockerHost: dc.dockerHost,
        clients: exported.map((e) => clientFor(e, specs.find((s) => s.name === e.name))),
    };
    return { chain, birthday: settings.lndBirthday, node };
}

/** The bitcoin tier of a cluster as deployed, or a one-line error naming the fix. */
export async function deployedNode(cluster: string, ctx: ClusterContext, askedChain?: string): Promise<DeployedNode> {
    const { node } = await readCluster(cluster, ctx, askedChain);
    if (!node) throw new CliError(`cluster ${cluster} runs no bitcoin tier; fix: \`bcm stack deploy bitcoin --cluster ${cluster}\``);
    return node;
}

/** The tier container that runs a service's task now (the swarm's node name is the container's). */
export async function taskContainer(node: DeployedNode, service: string): Promise<string> {
    const r = await execa("docker", ["service", "ps", service, "--filter", "desired-state=running", "--format", "{{.Node}}\t{{.CurrentState}}"], {
        env: { DOCKER_HOST: node.dockerHost },
        reject: false,
        stdin: "ignore",
    });
    if (r.exitCode !== 0) throw new CliError(`cluster ${node.cluster}: the swarm does not answer for ${service} (${r.stderr.split("\n")[0]}); fix: \`bcm show ${node.cluster}\`, and start the cluster (\`bcm cluster start ${node.cluster}\`)`);
    const running = r.stdout.split("\n").map((l) => l.split("\t")).find(([, state]) => state?.startsWith("Running"));
    if (!running?.[0]) throw new CliError(`cluster ${node.cluster}: ${service} has no running task; fix: wait for it (\`bcm show ${node.cluster}\`), or deploy again`);
    return running[0];
}

/** The LXD client of the endpoint that holds a container. */
export async function clientOf(node: DeployedNode, container: string): Promise<LxdClient> {
    for (const c of node.clients) if (await getInstance(c, container)) return c;
    throw new CliError(`cluster ${node.cluster}: no endpoint holds ${container}; fix: \`bcm cluster verify ${node.cluster}\``);
}
