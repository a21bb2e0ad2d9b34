// The data center on a cluster: the gateway tier (swarm, registries, Tor), then every other
// tier's system containers joined to its swarm, each with its own internal overlay.
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LxdCluster } from "../../components/cluster";
import { GatewayTier, gatewayPorts } from "../../components/gateway/gatewayTier";
import { overlayNetwork } from "../../components/swarm/networks";
import { SystemContainerTier, TierMemberArgs } from "../../components/tier/systemContainerTier";
import { DataCenterSpec } from "../../automation/cluster/dataCenter";
import { SpecError } from "../../automation/cluster/spec";
import { repoRoot } from "../../automation/engine/paths";

/** What each endpoint offers the tiers: its template image and its docker-host profile. */
export interface EndpointBase {
    image: pulumi.Input<string>;
    profile: pulumi.Input<string>;
}

/** The Docker images the data center runs: `bcm:dockerImages`, or what images/docker/build.sh has built. */
function dockerImages(config: pulumi.Config): Record<string, string> {
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
    for (const n of ["registry", "tor", "toolbox"]) {
        if (typeof images[n] !== "string") throw new SpecError(`bcm:dockerImages.${n}: missing; run \`bash images/docker/build.sh\` and set it from its output`);
    }
    return images;
}

export function deployDataCenter(clusterName: string, cluster: LxdCluster, bases: EndpointBase[], spec: DataCenterSpec, config: pulumi.Config) {
    const images = dockerImages(config);
    const home = process.env.BCM_HOME ?? path.join(os.homedir(), ".bcm");
    const socketDir = config.get("dockerSocketDir") ?? path.join(home, "sockets", clusterName);
    const members = (tier: string, rule: DataCenterSpec["tiers"][number]["placement"]): TierMemberArgs[] =>
        cluster.select(tier, rule).map((p) => ({
            containerName: p.containerName,
            endpoint: p.endpoint.endpoint,
            image: bases[p.index].image,
            profiles: ["default", bases[p.index].profile],
            swarmRole: p.swarmRole,
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
        const network = overlayNetwork(`${clusterName}-${t.name}-net`, `bcm-${t.name}`, { internal: true, encrypted: gateway.overlayEncrypted }, { provider: gateway.docker, dependsOn: tier.ready });
        return { name: t.name, tier, network };
    });
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
    };
}
