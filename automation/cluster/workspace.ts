// The cluster stacks of a BCM home: one workspace (the project's engine, the file backend
// under BCM_HOME), opening a cluster's stack, and reaching its endpoints.
import * as fs from "node:fs";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { LxdClient } from "../../components/lxd/client";
import { attestedDeviceKind } from "../../device/attestedDeviceKind";
import type { PolicyDeviceKind } from "../../device/describeDevice";
import { EndpointSpec, validateEndpoints } from "../../components/datacenter/spec";
import { findEngine, stackPassphrase, workspaceOptions } from "../../engine";
import { CliError } from "../cli/errors";
import { clusterWorkDir } from "./workdir";

/** What every cluster operation needs: the BCM home, the environment (device), a way out. */
export interface ClusterContext {
    home: string;
    env: NodeJS.ProcessEnv;
    /** Aborts a running engine operation (Ctrl-C). */
    signal?: AbortSignal;
    /** Progress and report lines (stderr). */
    say: (line: string) => void;
    /** What the device said it is, asked once per command (deviceKindOf). */
    deviceKind?: Promise<PolicyDeviceKind>;
}

/** The device kind the policy pack is told: what the device reported, asked once per command. */
export function deviceKindOf(ctx: ClusterContext): Promise<PolicyDeviceKind> {
    return (ctx.deviceKind ??= attestedDeviceKind(ctx.env));
}

/** The workspace of every cluster stack in a BCM home; `passphrase` is the one of the stack used next. */
export async function clusterWorkspace(home: string, passphrase: string): Promise<LocalWorkspace> {
    return LocalWorkspace.create({ workDir: clusterWorkDir(home), ...(await workspaceOptions(await findEngine(), home, passphrase)) });
}

export async function clusterNames(ws: LocalWorkspace): Promise<string[]> {
    return (await ws.listStacks()).map((s) => s.name).sort();
}

/** A cluster's stack, opened with its passphrase from the device; a one-line error when there is none. */
export async function selectCluster(name: string, ctx: ClusterContext): Promise<Stack> {
    const ws = await clusterWorkspace(ctx.home, await stackPassphrase(name, ctx.env));
    if (!(await clusterNames(ws)).includes(name)) {
        throw new CliError(`no cluster ${name} in ${ctx.home}; fix: \`bcm cluster list\` shows the clusters, \`bcm cluster create ${name} --local\` makes one`);
    }
    return Stack.select(name, ws);
}

/** A stack's config as plain key → value (secret values decrypted: keep them off command lines). */
export async function plainConfig(stack: Stack): Promise<Record<string, string>> {
    return Object.fromEntries(Object.entries(await stack.getAllConfig()).map(([k, v]) => [k, v.value]));
}

/** One endpoint as the stack exported it. */
export interface ExportedEndpoint {
    name: string;
    mode: "local" | "ssh";
    url: string;
    serverFingerprint?: string;
}

/** A cluster's stack with its endpoint specs and what it exported of them. */
export async function openCluster(name: string, ctx: ClusterContext): Promise<{ stack: Stack; specs: EndpointSpec[]; exported: ExportedEndpoint[] }> {
    const stack = await selectCluster(name, ctx);
    const config = await stack.getAllConfig();
    const specs = validateEndpoints(JSON.parse(config["bcm:endpoints"]?.value ?? "[]"));
    const outputs = await stack.outputs();
    const exported = (outputs.endpoints?.value ?? []) as ExportedEndpoint[];
    return { stack, specs, exported };
}

/** The LXD client of an exported endpoint (HTTPS credentials from the spec's files). */
export function clientFor(e: ExportedEndpoint, spec: EndpointSpec | undefined): LxdClient {
    if (e.url.startsWith("unix://")) return new LxdClient({ url: e.url });
    return new LxdClient({
        url: e.url,
        clientCertificate: fs.readFileSync(spec?.clientCertificatePath ?? "", "utf8"),
        clientKey: fs.readFileSync(spec?.clientKeyPath ?? "", "utf8"),
        serverFingerprint: e.serverFingerprint,
    });
}
