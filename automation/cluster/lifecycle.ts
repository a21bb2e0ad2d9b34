// `bcm cluster create|destroy|list`: a cluster is a stack (named after the cluster) of the
// cluster program stacks/cluster, deployed through deployWithPolicy.
import * as fs from "node:fs";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { EndpointSpec, ImageSpec, validateEndpoints } from "../../components/datacenter/spec";
import { builtSystemImages } from "../../engine/artifacts";
import { Progress, stackPassphrase } from "../../engine";
import { CliError } from "../cli/errors";
import { deployWithPolicy, engineFailure, interrupted, recoverStack } from "./deploy";
import { writePolicyConfig } from "./policyConfig";
import { ClusterContext, clusterNames, clusterWorkspace, deviceKindOf, plainConfig, selectCluster } from "./workspace";

/** The split images' paths (built ones only); a one-line error naming the build command otherwise. */
export async function imagePaths(): Promise<Record<string, ImageSpec>> {
    try {
        return builtSystemImages();
    } catch (err) {
        throw new CliError((err as Error).message);
    }
}

/** `bcm cluster create`: a new stack, previewed with the pack, then `up` with the pack. */
export async function createCluster(name: string, endpoints: EndpointSpec[], ctx: ClusterContext): Promise<Record<string, unknown>> {
    validateEndpoints(endpoints, "endpoints");
    const images = await imagePaths();
    const passphrase = await stackPassphrase(name, ctx.env);
    const ws = await clusterWorkspace(ctx.home, passphrase);
    if ((await clusterNames(ws)).includes(name)) {
        throw new CliError(`cluster ${name} exists already; fix: \`bcm cluster verify ${name}\` checks it, \`bcm cluster destroy ${name}\` removes it first`);
    }
    const stack = await Stack.create(name, ws);
    const removeStack = async () => {
        await ws.removeStack(name);
        fs.rmSync(path.join(ctx.home, "clusters", `${name}.policy.json`), { force: true });
    };
    const config = { "bcm:endpoints": JSON.stringify(endpoints), "bcm:images": JSON.stringify(images) };
    await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
    await deployWithPolicy(
        stack,
        {
            cluster: name,
            what: "cluster create",
            policyConfig: writePolicyConfig(ctx.home, name, await deviceKindOf(ctx), config),
            ctx,
            undo: removeStack,
            unchanged: "nothing was created (the stack was removed)",
            fix: `fix the cause and run \`bcm cluster destroy ${name}\`, then create again`,
        },
        new Progress("cluster create"),
    );
    const outputs = await stack.outputs();
    return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value]));
}

/** `bcm cluster destroy`: destroys every resource and removes the stack. */
export async function destroyCluster(name: string, ctx: ClusterContext): Promise<void> {
    const stack = await selectCluster(name, ctx);
    await recoverStack(stack, "cluster destroy", ctx);
    try {
        await stack.destroy({ onEvent: new Progress("cluster destroy").onEvent, signal: ctx.signal });
    } catch (err) {
        if (ctx.signal?.aborted) throw interrupted(`destroy of ${name}`);
        throw new CliError(`cluster ${name}: destroy failed: ${engineFailure(err)}; fix the cause and run \`bcm cluster destroy ${name}\` again`);
    }
    await stack.workspace.removeStack(name);
    fs.rmSync(path.join(ctx.home, "clusters", `${name}.policy.json`), { force: true });
}

/**
 * `bcm cluster refresh`: reads every resource of the cluster back from its endpoints (so
 * drift made behind BCM's back, e.g. a Swarm service deleted by hand, is seen), then
 * deploys the stack as it is configured, through deployWithPolicy: the drift is put right.
 */
export async function refreshCluster(name: string, ctx: ClusterContext): Promise<Record<string, unknown>> {
    const stack = await selectCluster(name, ctx);
    const config = await plainConfig(stack);
    await deployWithPolicy(
        stack,
        { cluster: name, what: "cluster refresh", policyConfig: writePolicyConfig(ctx.home, name, await deviceKindOf(ctx), config), ctx, refresh: true },
        new Progress("cluster refresh"),
    );
    const outputs = await stack.outputs();
    return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value]));
}

/** A cluster in `bcm cluster list`: its name and endpoints (from its config). */
export interface ClusterSummary {
    name: string;
    endpoints: EndpointSpec[];
}

/** `bcm cluster list`: every cluster stack of this BCM home with its configured endpoints. */
export async function listClusters(ctx: ClusterContext): Promise<ClusterSummary[]> {
    const ws = await clusterWorkspace(ctx.home, "");
    const out: ClusterSummary[] = [];
    for (const name of await clusterNames(ws)) {
        ws.envVars.PULUMI_CONFIG_PASSPHRASE = await stackPassphrase(name, ctx.env);
        const config = await ws.getAllConfig(name);
        let endpoints: EndpointSpec[] = [];
        try {
            endpoints = validateEndpoints(JSON.parse(config["bcm:endpoints"]?.value ?? "[]"));
        } catch {
            endpoints = [];
        }
        out.push({ name, endpoints });
    }
    return out;
}
