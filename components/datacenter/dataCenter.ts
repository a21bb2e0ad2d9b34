// The data center on a cluster: the gateway tier (swarm, registries, Tor), then every other
// tier's system containers joined to its swarm, each with its own internal overlay, which
// the gateway's Tor joins. Tiers with an entry in the workload table (workloads.ts) run their
// workload there; a tier of another name gets containers and overlay.
import * as pulumi from "@pulumi/pulumi";
import { LxdCluster } from "../cluster/lxdCluster";
import { defaultOnionServices, GatewayTier, gatewayPorts, PublishedOnion } from "../gateway/gatewayTier";
import { clusterLabelTransformation } from "../swarm/clusterLabel";
import { StaleSwarmNodes } from "../swarm/staleNodes";
import { SystemContainerTier, TierMemberArgs } from "../tier/systemContainerTier";
import { DataCenterSpec } from "./dataCenterSpec";
import { SpecError } from "./spec";
import type { Workload } from "./workload";
import { workloads as defaultWorkloads } from "./workloads";

/** What each endpoint offers the tiers: its template image and its docker-host profile. */
export interface EndpointBase {
    /** The bcm-template image on the endpoint (a fingerprint). */
    image: pulumi.Input<string>;
    /** The name of the endpoint's docker-host profile. */
    profile: pulumi.Input<string>;
}

export interface DataCenterArgs {
    /** The cluster (stack) name, recorded on every container and volume it makes (`user.bcm.cluster`) and on every Docker object (label `bcm.cluster`). */
    cluster: string;
    /** The cluster's LXD endpoints, which the tiers are placed on. */
    lxdCluster: LxdCluster;
    /** Per endpoint, in the cluster's order: its template image and docker-host profile. */
    bases: EndpointBase[];
    /** The validated stack settings (readDataCenterSpec, with the same workload table). */
    spec: DataCenterSpec;
    /** Local Docker image tags to publish in the private registry (resolveImages). */
    dockerImages: Record<string, string>;
    /** Host directory of the controller's root-only socket to the swarm's first manager. */
    dockerSocketDir: string;
    /** The workload tiers it knows; default kafka and bitcoin (workloads.ts). */
    workloads?: readonly Workload<any>[];
    /** IPv4 addresses of the other endpoints' hosts, which the gateway's firewall lets reach the registry (their tier containers' proxies). */
    allowedHosts?: string[];
    /** What the device gave the deploy, by the keys the workloads' `deviceSecrets` name (the stack's secret `bcm:<key>`). */
    deviceSecrets?: Record<string, pulumi.Input<string>>;
}

/** A deployed tier: its containers and overlay. */
export interface DeployedTier {
    name: string;
    tier: SystemContainerTier;
}

/** What the stack exports as `dataCenter` (npm run up and `bcm` print it). */
export interface DataCenterSummary {
    chain: string;
    torNetwork: string;
    dockerHost: pulumi.Output<string>;
    socks: pulumi.Output<string>;
    dns: pulumi.Output<string>;
    registry: pulumi.Output<string>;
    /** Where the controller pushes, with the credentials (secret). */
    registryPush: pulumi.Output<{ address: string; user: string; password: string }>;
    registryMirror: pulumi.Output<string> | string;
    overlayEncrypted: pulumi.Output<boolean>;
    images: Record<string, pulumi.Output<string>>;
    networks: Record<string, pulumi.Output<string>>;
    containers: { name: string; address: pulumi.Output<string> }[];
    onions: pulumi.Output<Record<string, PublishedOnion>>;
    workloads: Record<string, pulumi.Input<Record<string, unknown>>>;
}

/** A workload's device values, each a secret; a missing one stops the program naming its key and where it comes from. */
function deviceSecretsOf(w: Workload<any>, spec: DataCenterSpec, cluster: string, given: Record<string, pulumi.Input<string>>): Record<string, pulumi.Output<string>> {
    const out: Record<string, pulumi.Output<string>> = {};
    for (const d of w.deviceSecrets?.(spec.settings[w.name], cluster, spec.chain) ?? []) {
        const v = given[d.key];
        if (v === undefined) {
            throw new SpecError(
                `bcm:${d.key}: missing; it comes from the device ("${d.request.key}"): deploy with \`bcm stack deploy ${w.name} --cluster ${cluster}\` (or \`npm run up\`), or run Pulumi through \`bcm pulumi -- up\``,
            );
        }
        out[d.key] = pulumi.secret(v);
    }
    return out;
}

export class DataCenter extends pulumi.ComponentResource {
    public readonly gateway: GatewayTier;
    /** The tiers besides the gateway, in the spec's order. */
    public readonly tiers: DeployedTier[];
    /** Each workload's exported outputs, by workload name. */
    public readonly workloads: Record<string, pulumi.Input<Record<string, unknown>>>;
    /** Everything the stack exports about the data center. */
    public readonly summary: DataCenterSummary;

    constructor(name: string, args: DataCenterArgs, opts?: pulumi.ComponentResourceOptions) {
        // Every Docker object under it carries the cluster's label (components/swarm/clusterLabel.ts).
        super("bcm:datacenter:DataCenter", name, {}, { ...opts, transformations: [...(opts?.transformations ?? []), clusterLabelTransformation(args.cluster)] });
        const { spec, cluster } = args;
        const table = new Map((args.workloads ?? defaultWorkloads).map((w) => [w.name, w]));
        // Until this component existed, the tiers were the stack's own children: the alias keeps
        // an existing data center's resources where they are instead of replacing them.
        const child = { parent: this, aliases: [{ parent: pulumi.rootStackResource }] };
        const workloadOf = (tier: string) => table.get(tier);
        const members = (tier: string, rule: DataCenterSpec["tiers"][number]["placement"]): TierMemberArgs[] =>
            args.lxdCluster.select(tier, rule).map((p, i) => {
                const w = workloadOf(tier);
                const dataVolumes = w?.dataVolumes?.(spec.settings[tier], spec.chain, i) ?? [];
                return {
                    containerName: p.containerName,
                    endpoint: p.endpoint.endpoint,
                    image: args.bases[p.index].image,
                    profiles: ["default", args.bases[p.index].profile],
                    swarmRole: p.swarmRole,
                    ...(dataVolumes.length > 0 ? { dataVolumes } : {}),
                };
            });

        const [gatewaySpec, ...others] = spec.tiers;
        const { toolbox, registry, tor, ...rest } = args.dockerImages;
        this.gateway = new GatewayTier(
            `${cluster}-gateway`,
            {
                cluster,
                members: members("gateway", gatewaySpec.placement),
                dockerSocketDir: args.dockerSocketDir,
                images: { registry, tor, extra: { toolbox, ...rest } },
                tor: spec.tor,
                overlayEncryption: spec.overlayEncryption,
                registryMirrorUpstream: spec.registryMirrorUpstream,
                tierNetworks: others.map((t) => t.name),
                ...(args.allowedHosts ? { allowedHosts: args.allowedHosts } : {}),
                onionServices: [...defaultOnionServices, ...others.flatMap((t) => workloadOf(t.name)?.onionServices?.(spec.settings[t.name], spec.chain) ?? [])],
            },
            child,
        );
        const gateway = this.gateway;
        this.tiers = others.map((t) => ({
            name: t.name,
            tier: new SystemContainerTier(
                `${cluster}-${t.name}`,
                {
                    tier: t.name,
                    cluster,
                    members: members(t.name, t.placement).map((m) => ({ ...m, swarmRole: "worker" as const })),
                    swarm: { managerAddress: gateway.tier.managerAddress!, workerToken: gateway.tier.joinTokens!.worker, managerNodeId: gateway.tier.managerNodeId! },
                    ...(gateway.mirrorAddress ? { registryMirror: `http://127.0.0.1:${gatewayPorts.mirror}` } : {}),
                    forwardedPorts: [
                        { port: gatewayPorts.registry, target: gateway.registryAddress },
                        ...(gateway.mirrorAddress ? [{ port: gatewayPorts.mirror, target: gateway.mirrorAddress }] : []),
                    ],
                },
                child,
            ),
        }));
        // A member container made again (deleted by hand, brought back by this run) joined as a
        // new node; its old entry goes, so `docker node ls` and the health read list each once.
        const allTiers = [gateway.tier, ...this.tiers.map((t) => t.tier)];
        new StaleSwarmNodes(
            `${cluster}-swarm-nodes`,
            {
                dockerHost: gateway.tier.dockerHost!,
                members: allTiers.flatMap((t) => t.members.map((m) => m.uuid)),
            },
            { parent: this, dependsOn: allTiers.flatMap((t) => t.ready) },
        );
        this.workloads = {};
        for (const t of this.tiers) {
            const w = workloadOf(t.name);
            if (!w) continue;
            const deviceSecrets = deviceSecretsOf(w, spec, cluster, args.deviceSecrets ?? {});
            this.workloads[t.name] = w.deploy(
                `${cluster}-${t.name}-workload`,
                {
                    settings: spec.settings[t.name],
                    chain: spec.chain,
                    torOffline: spec.tor.network === "offline",
                    tier: t.tier,
                    network: gateway.tierNetworks[t.name],
                    gateway,
                    deviceSecrets,
                    cluster,
                    ...(spec.controllerKey ? { controllerKey: spec.controllerKey } : {}),
                },
                child,
            );
        }
        this.summary = {
            chain: spec.chain,
            torNetwork: spec.tor.network,
            dockerHost: gateway.tier.dockerHost!,
            socks: gateway.socks,
            dns: gateway.dns,
            registry: gateway.registryAddress,
            registryPush: gateway.registryPush,
            registryMirror: gateway.mirrorAddress ?? "none (Tor is offline)",
            overlayEncrypted: gateway.overlayEncrypted,
            images: gateway.images,
            networks: {
                gateway: gateway.gatewayNetwork.name,
                egress: gateway.egressNetwork.name,
                ...Object.fromEntries(this.tiers.map((t) => [t.name, gateway.tierNetworks[t.name].name])),
            },
            containers: allTiers.flatMap((t) => t.members.map((m) => ({ name: m.containerName, address: m.address }))),
            onions: gateway.onions,
            workloads: this.workloads,
        };
        this.registerOutputs({ summary: this.summary });
    }
}
