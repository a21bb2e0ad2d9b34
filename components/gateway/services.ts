// The gateway's Swarm services, one function each: the private registry every image comes
// from, Tor (SOCKS, DNS, onion services), and the Docker Hub mirror that fetches through Tor.
import { createHash } from "node:crypto";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SwarmService } from "../swarm/swarmService";
import { OnionSecrets } from "./onions";
import { gatewayPorts } from "./ports";
import { gatewayTorrc, TorNetworkSettings } from "./torNetwork";

/** What every gateway service shares: where it runs and which overlays it may use. */
export interface GatewayPlacement {
    /** `node.hostname == bcm-gateway-01`: the services keep their data on the first gateway container. */
    pinned: string;
    /** The internal overlay every tier joins. */
    gatewayNetwork: docker.Network;
    /** The overlay that gives a service a way out. */
    egressNetwork: docker.Network;
    /** Options for resources on the swarm (parent, provider). */
    onDocker: pulumi.CustomResourceOptions;
}

/** What the registry's two services share: their configs and the push side's credentials. */
export interface RegistryFiles {
    /** config.yml of the pull side (read-only, no credentials). */
    pullConfig: docker.ServiceConfig;
    /** config.yml of the push side (htpasswd). */
    pushConfig: docker.ServiceConfig;
    /** The htpasswd file: `bcm:<bcrypt>` of the random push password. */
    htpasswd: docker.Secret;
}

/**
 * The private registry (Debian's docker-registry) on the first gateway container, as two
 * services on one storage (registryConfig.ts): `registry` serves pulls on 5010, read-only;
 * `registry-push` takes pushes on 5011, only with credentials. Deletes are off on both.
 */
export function registryServices(p: GatewayPlacement, image: pulumi.Input<string>, files: RegistryFiles): { pull: SwarmService; push: SwarmService } {
    const common = {
        image,
        tier: "gateway",
        constraints: [p.pinned],
        // Host-mode ports need the docker_gwbridge, which only a non-internal network brings.
        egress: p.egressNetwork,
        // No REGISTRY_HTTP_SECRET: it only signs upload state shared between registry
        // instances, and each side runs alone (distribution then draws its own at start).
        volumes: { "bcm-registry-data": "/var/lib/docker-registry" },
        args: ["serve", "/etc/bcm/registry.yml"],
        memoryMiB: 256,
    };
    const pull = new SwarmService(
        "registry",
        {
            ...common,
            networks: [{ network: p.gatewayNetwork, aliases: ["registry"] }],
            configs: [{ source: files.pullConfig, fileName: "/etc/bcm/registry.yml" }],
            ports: [{ target: 5000, published: gatewayPorts.registry }],
        },
        p.onDocker,
    );
    const push = new SwarmService(
        "registry-push",
        {
            ...common,
            networks: [{ network: p.gatewayNetwork, aliases: ["registry-push"] }],
            configs: [{ source: files.pushConfig, fileName: "/etc/bcm/registry.yml" }],
            // The bcrypt hash only; the registry runs as its own user, so the file is world-readable inside the task.
            secrets: [{ source: files.htpasswd, fileName: "registry-htpasswd", mode: 0o444 }],
            ports: [{ target: 5000, published: gatewayPorts.registryPush }],
        },
        p.onDocker,
    );
    return { pull, push };
}

/**
 * Tor: SOCKS (9050) and DNS (9053) for the data center, on the gateway overlay and on every
 * tier's overlay (alias `tor`), and the onion services with their keys.
 */
export function torService(
    p: GatewayPlacement,
    args: { name: string; image: pulumi.Input<string>; tor: TorNetworkSettings; tierNetworks: docker.Network[]; onions: OnionSecrets[]; dependsOn: pulumi.Resource[] },
): SwarmService {
    const torrc = gatewayTorrc(
        args.tor,
        args.onions.map(({ service: s }) => ({ name: s.name, ports: [{ virtualPort: s.virtualPort, target: s.target }] })),
    );
    const config = new docker.ServiceConfig(
        `${args.name}-torrc`,
        { name: `bcm-torrc-${createHash("sha256").update(torrc).digest("hex").slice(0, 12)}`, data: Buffer.from(torrc).toString("base64") },
        { ...p.onDocker, deleteBeforeReplace: false },
    );
    return new SwarmService(
        "tor",
        {
            image: args.image,
            tier: "gateway",
            networks: [p.gatewayNetwork, ...args.tierNetworks].map((network) => ({ network, aliases: ["tor"] })),
            egress: p.egressNetwork,
            configs: [{ source: config, fileName: "/etc/bcm/torrc" }],
            secrets: args.onions.flatMap((o) => [
                { source: o.key, fileName: `onion-${o.service.name}-secret` },
                ...(o.clients ? [{ source: o.clients, fileName: `onion-${o.service.name}-clients` }] : []),
            ]),
            volumes: { "bcm-tor-data": "/var/lib/tor" },
            ports: [
                { target: 9050, published: gatewayPorts.socks },
                { target: 9053, published: gatewayPorts.dns, protocol: "udp" },
            ],
            // Offline (DisableNetwork 1) Tor opens no SOCKS port, so there only the process can be checked.
            healthcheck: args.tor.network === "offline" ? "kill -0 1" : "nc -z 127.0.0.1 9050",
            constraints: [p.pinned],
            memoryMiB: 256,
        },
        { ...p.onDocker, dependsOn: args.dependsOn },
    );
}

/** The Docker Hub mirror on 5000: distribution in proxy mode, fetching its upstream only through Tor. */
export function mirrorService(p: GatewayPlacement, args: { image: pulumi.Input<string>; upstream?: pulumi.Input<string>; tor: SwarmService }): SwarmService {
    return new SwarmService(
        "registry-mirror",
        {
            image: args.image,
            tier: "gateway",
            constraints: [p.pinned],
            networks: [{ network: p.gatewayNetwork, aliases: ["registry-mirror"] }],
            egress: p.egressNetwork,
            env: {
                REGISTRY_PROXY_REMOTEURL: args.upstream ?? "https://registry-1.docker.io",
                REGISTRY_STORAGE_DELETE_ENABLED: "false",
                // Every outside connection goes through Tor: Go's HTTP client speaks SOCKS5 with remote name resolution.
                HTTP_PROXY: "socks5://tor:9050",
                HTTPS_PROXY: "socks5://tor:9050",
            },
            volumes: { "bcm-registry-mirror-data": "/var/lib/docker-registry" },
            ports: [{ target: 5000, published: gatewayPorts.mirror }],
            memoryMiB: 256,
        },
        { ...p.onDocker, dependsOn: [args.tor] },
    );
}
