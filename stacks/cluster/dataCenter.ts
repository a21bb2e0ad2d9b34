// The data center on a cluster: the gateway tier (swarm, registries, Tor), then every other
// tier's system containers joined to its swarm, each with its own internal overlay, which
// the gateway's Tor joins. The tiers named "kafka" and "bitcoin" run their workloads
// (components/kafka, components/bitcoin); a tier of another name gets containers and overlay.
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LxdCluster } from "../../components/cluster";
import { bitcoinOnionServices, BitcoinTier, chainDataVolume } from "../../components/bitcoin";
import { defaultOnionServices, GatewayTier, gatewayPorts } from "../../components/gateway/gatewayTier";
import { KafkaTier } from "../../components/kafka";
import { SystemContainerTier, TierMemberArgs } from "../../components/tier/systemContainerTier";
import { DataCenterSpec } from "../../automation/cluster/dataCenter";
import { SpecError } from "../../automation/cluster/spec";
import { repoRoot } from "../../engine/paths";

/** What each endpoint offers the tiers: its template image and its docker-host profile. */
export interface EndpointBase {
    image: pulumi.Input<string>;
    profile: pulumi.Input<string>;
}

/** The Docker images each workload tier needs, besides the gateway's. */
export function imagesFor(spec: DataCenterSpec): string[] {
    const names = new Set(spec.tiers.map((t) => t.name));
    return [
        "registry",
        "tor",
        "toolbox",
        ...(names.has("kafka") ? ["kafka", "zookeeper"] : []),
        ...(names.has("bitcoin") ? [spec.bitcoin.implementation === "btcd" ? "btcd" : "bitcoind", "lnd"] : []),
    ];
}

/** The Docker images the data center runs: `bcm:dockerImages`, or what images/docker/build.sh has built. */
function dockerImages(config: pulumi.Config, spec: DataCenterSpec): Record<string, string> {
    const text = config.get("dockerImages");
    let images: Record<string, string>;
    if (text !== undefined) {
        try {
            images = JSON.parse(text) as Record<string, string>;
        } catch {
            throw new SpecError("bcm:dockerImages: is not JSON; set it to {\"tor\":\"bcm/tor:…\",…} or leave it out to use images/docker/build.sh's");
        }
    } else {
        try {
            const out = execFileSync("bash", [path.join(repoRoot, "images", "docker", "build.sh"), "--print"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
            images = JSON.parse(out.trim().split("\n").pop()!) as Record<string, string>;
        } catch {
            throw new SpecError("bcm:dockerImages: not set and images/docker/build.sh has not built the images; run `bash images/docker/build.sh` (npm run setup does)");
        }
    }
    if (spec.bitcoin.image) images.bitcoind = spec.bitcoin.image;
    for (const n of imagesFor(spec)) {
        if (typeof images[n] !== "string") {
            throw new SpecError(
                n === "bitcoind"
                    ? "bcm:bitcoin.image: missing; build it from a verified release with images/bitcoind/build.sh"
                    : `bcm:dockerImages.${n}: missing; run \`bash images/docker/build.sh\` and set it from its output`,
            );
        }
    }
    // Only what the tiers run is published to the private registry (and the base, for workloads of the user's own).
    return Object.fromEntries(Object.entries(images).filter(([n]) => n === "debian" || imagesFor(spec).includes(n)));
}

export function deployDataCenter(clusterName: string, cluster: LxdCluster, bases: EndpointBase[], spec: DataCenterSpec, config: pulumi.Config) {
    const images = dockerImages(config, spec);
    const home = process.env.BCM_HOME ?? path.join(os.homedir(), ".bcm");
    const socketDir = config.get("dockerSocketDir") ?? path.join(home, "sockets", clusterName);
    const members = (tier: string, rule: DataCenterSpec["tiers"][number]["placement"]): TierMemberArgs[] =>
        cluster.select(tier, rule).map((p, i) => ({
            containerName: p.containerName,
            endpoint: p.endpoint.endpoint,
            image: bases[p.index].image,
            profiles: ["default", bases[p.index].profile],
            swarmRole: p.swarmRole,
            // The bitcoin tier's first container keeps the chain (the node and lnd are pinned to it).
            ...(tier === "bitcoin" && i === 0 ? { dataVolumes: [chainDataVolume(spec.chain, spec.bitcoin.keepChainData)] } : {}),
        }));

    const [gatewaySpec, ...others] = spec.tiers;
    const { toolbox, registry, tor, ...rest } = images;
    const gateway = new GatewayTier(`${clusterName}-gateway`, {
        cluster: clusterName,
        members: members("gateway", gatewaySpec.placement),
        dockerSocketDir: socketDir,
        images: { registry, tor, extra: { toolbox, ...rest } },
        tor: spec.tor,
        overlayEncryption: spec.overlayEncryption,
        registryMirrorUpstream: spec.registryMirrorUpstream,
        tierNetworks: others.map((t) => t.name),
        onionServices: [
            ...defaultOnionServices,
            ...(others.some((t) => t.name === "bitcoin") ? bitcoinOnionServices(spec.bitcoin.implementation, spec.chain) : []),
        ],
    });
    const tiers = others.map((t) => {
        const tier = new SystemContainerTier(`${clusterName}-${t.name}`, {
            tier: t.name,
            cluster: clusterName,
            members: members(t.name, t.placement).map((m) => ({ ...m, swarmRole: "worker" as const })),
            swarm: { managerAddress: gateway.tier.managerAddress!, workerToken: gateway.tier.joinTokens!.worker },
            ...(gateway.mirrorAddress ? { registryMirror: `http://127.0.0.1:${gatewayPorts.mirror}` } : {}),
            forwardedPorts: [
                { port: gatewayPorts.registry, target: gateway.registryAddress },
                ...(gateway.mirrorAddress ? [{ port: gatewayPorts.mirror, target: gateway.mirrorAddress }] : []),
            ],
        });
        const network = gateway.tierNetworks[t.name];
        return { name: t.name, tier, network };
    });
    const workloads: Record<string, pulumi.Output<unknown>> = {};
    for (const t of tiers) {
        if (t.name === "kafka") {
            const kafka = new KafkaTier(`${clusterName}-kafka-workload`, {
                tier: t.tier,
                docker: gateway.docker,
                network: t.network,
                images: { kafka: gateway.images.kafka, zookeeper: gateway.images.zookeeper },
                topics: spec.kafka.topics,
                ...(spec.kafka.heapMiB ? { heapMiB: spec.kafka.heapMiB } : {}),
            });
            workloads.kafka = pulumi.output({ bootstrapServers: kafka.bootstrapServers, zookeeperConnect: kafka.zookeeperConnect, replicationFactor: kafka.replicationFactor, topics: Object.keys(kafka.topics) });
        } else if (t.name === "bitcoin") {
            const implementation = spec.bitcoin.implementation;
            const bitcoin = new BitcoinTier(`${clusterName}-bitcoin-workload`, {
                tier: t.tier,
                docker: gateway.docker,
                network: t.network,
                chain: spec.chain,
                implementation,
                images: { node: gateway.images[implementation], lnd: gateway.images.lnd },
                onions: gateway.onions,
                torOffline: spec.tor.network === "offline",
            });
            workloads.bitcoin = pulumi.output({
                implementation,
                node: bitcoin.node.serviceName,
                lnd: bitcoin.lnd.serviceName,
                rpc: bitcoin.rpcAddress,
                miningAddress: bitcoin.miningAddress ?? "none (not regtest)",
                // For the controller's RPC over the authenticated onion service (secret in the state).
                rpcCredentials: bitcoin.rpcCredentials,
                keepChainData: spec.bitcoin.keepChainData,
            });
        }
    }
    return {
        chain: spec.chain,
        torNetwork: spec.tor.network,
        dockerHost: gateway.tier.dockerHost!,
        socks: gateway.socks,
        dns: gateway.dns,
        registry: gateway.registryAddress,
        registryMirror: gateway.mirrorAddress ?? "none (Tor is offline)",
        overlayEncrypted: gateway.overlayEncrypted,
        images: gateway.images,
        networks: { gateway: gateway.gatewayNetwork.name, egress: gateway.egressNetwork.name, ...Object.fromEntries(tiers.map((t) => [t.name, t.network.name])) },
        containers: [gateway.tier, ...tiers.map((t) => t.tier)].flatMap((t) => t.members.map((m) => ({ name: m.containerName, address: m.address }))),
        onions: gateway.onions,
        workloads,
    };
}
