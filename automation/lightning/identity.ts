// `bcm lightning identity`: the node's identity pubkey and first address, computed on the
// controller from the device alone; checked against the cluster's running lnd when there is one.
import { Chain } from "../../components/bitcoin/chains";
import { lndIdentityOf } from "../../components/bitcoin/lightning";
import { bytesToHex } from "../../device/bytes";
import { CliError } from "../cli/errors";
import { clusterNames, clusterWorkspace, ClusterContext } from "../cluster/workspace";
import { chainFor, identityMismatch, lncliCommand } from "./decisions";
import { readCluster } from "./deployed";
import { askLndSecret } from "./deviceSecret";
import { runInTask } from "./nodeTask";

export interface LightningIdentity {
    nodePubkey: string;
    firstAddress: string;
}

/** Whether the BCM home has a stack for the cluster (listing needs no passphrase). */
async function clusterExists(cluster: string, ctx: ClusterContext): Promise<boolean> {
    return (await clusterNames(await clusterWorkspace(ctx.home, ""))).includes(cluster);
}

export async function lightningIdentity(cluster: string, chain: string, ctx: ClusterContext): Promise<LightningIdentity> {
    chainFor(cluster, chain, chain); // a known chain, before anything is asked
    const deployed = (await clusterExists(cluster, ctx)) ? await readCluster(cluster, ctx, chain) : undefined;
    const derived = lndIdentityOf(bytesToHex(await askLndSecret(ctx, cluster, chain as Chain)), chain as Chain);
    const node = deployed?.node;
    if (!node) return derived;
    const r = await runInTask(node, node.lndService, lncliCommand(node.chain, ["getinfo"])).catch((err: Error) => {
        ctx.say(`not compared with the running node: ${err.message.split("\n")[0]}`);
        return undefined;
    });
    if (!r) return derived;
    if (r.exitCode !== 0) {
        ctx.say(`not compared with the running node: lncli getinfo exited ${r.exitCode}: ${r.stderr.trim().split("\n").pop() ?? ""}`);
        return derived;
    }
    const running = (JSON.parse(r.stdout) as { identity_pubkey: string }).identity_pubkey;
    const problem = identityMismatch(cluster, derived.nodePubkey, running);
    if (problem) throw new CliError(problem);
    ctx.say(`the running lnd of cluster ${cluster} is this node`);
    return derived;
}
