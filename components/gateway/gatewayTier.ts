import { createHash } from "node:crypto";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as lxd from "../lxd/resources";
import { decideOverlayEncryption, espProbeCommand, OverlayEncryption } from "../swarm/encryption";
import { SwarmImage } from "../swarm/imageTransfer";
import { overlayNetwork } from "../swarm/networks";
import { SwarmService } from "../swarm/swarmService";
import { SystemContainerTier, TierMemberArgs } from "../tier/systemContainerTier";
import { clientAuthorization } from "../tor/onion";
import { onionServiceKey } from "../tor/onion";
import { gatewayTorrc, TorNetworkSettings } from "./torNetwork";

import { gatewayPorts } from "./ports";

export { gatewayPorts };

/** A service the data center publishes as a v3 onion service, with client authorization. */
export interface GatewayOnionService {
    /** Its name: the key and directory names derive from it. */
    name: string;
    /** The port on the .onion address. */
    virtualPort: number;
    /** `service:port` on the gateway overlay. */
    target: string;
    /** Names of the clients allowed in; each gets its own key. At least one, unless `public`. */
    clients: string[];
    /** Open to anyone who learns its address (a node's P2P port, a Lightning node's peers): only then may `clients` be empty. */
    public?: boolean;
}

/** The images the gateway runs, as built on the controller by images/docker/build.sh. */
export interface GatewayImages {
    /** Debian's docker-registry. */
    registry: pulumi.Input<string>;
    /** Debian's tor, with BCM's entrypoint. */
    tor: pulumi.Input<string>;
    /** Further images to publish in the private registry for other tiers (name → local tag). */
    extra?: Record<string, pulumi.Input<string>>;
}

export interface GatewayTierArgs {
    /** Its containers (`bcm-gateway-NN`), in placement order; the first starts the swarm. */
    members: TierMemberArgs[];
    /** Host directory for the controller's socket to the first manager's dockerd. */
    dockerSocketDir: string;
    /** The images it runs and publishes. */
    images: GatewayImages;
    /** The Tor network its Tor joins. */
    tor: TorNetworkSettings;
    /** Upstream of the Docker Hub mirror on port 5000, fetched through Tor; default https://registry-1.docker.io. No mirror runs while Tor is offline. */
    registryMirrorUpstream?: pulumi.Input<string>;
    /** Overlay encryption: "auto" (default), "required" or "off" (see decideOverlayEncryption). */
    overlayEncryption?: OverlayEncryption;
    /** Onion services it publishes; default: the private registry, for the controller. */
    onionServices?: GatewayOnionService[];
    /** Other tiers, each of which gets its internal overlay `bcm-<tier>`; Tor joins each (alias `tor`), so their services reach SOCKS and DNS, and onion services reach them, without leaving their overlay. */
    tierNetworks?: string[];
    /** The cluster that owns it (recorded on its containers and volumes). */
    cluster: string;
}

/** The default onion service: the private registry, so the controller can push from anywhere. */
export const defaultOnionServices: GatewayOnionService[] = [{ name: "registry", virtualPort: 80, target: "registry:5000", clients: ["controller"] }];

/** A published onion service: its address and, per client, the line for their ClientOnionAuthDir. */
export interface PublishedOnion {
    address: string;
    clientAuthLines: Record<string, string>;
}

/**
 * The gateway tier: the spine of a BCM data center. Its containers are the swarm's managers;
 * it runs the private registry (5010) every image comes from, a Docker Hub mirror (5000) that
 * fetches through Tor, and Tor itself: SOCKS (9050) and DNS (9053) for everything else, and
 * the onion services with client authorization.
 */
export class GatewayTier extends pulumi.ComponentResource {
    public readonly tier: SystemContainerTier;
    /** The controller's docker provider for this cluster's swarm. */
    public readonly docker: docker.Provider;
    /** The overlay every tier joins to reach Tor and the registries (internal: no way out). */
    public readonly gatewayNetwork: docker.Network;
    /** The overlay that gives a service a way out; only services that declare egress join it. */
    public readonly egressNetwork: docker.Network;
    /** Each other tier's internal overlay (`bcm-<tier>`), which Tor joins. */
    public readonly tierNetworks: Record<string, docker.Network>;
    /** Whether overlays are encrypted. */
    public readonly overlayEncrypted: pulumi.Output<boolean>;
    /** Image references in the private registry (as nodes see it), by name. */
    public readonly images: Record<string, pulumi.Output<string>>;
    /** Onion services by name (secret: the client keys). */
    public readonly onions: pulumi.Output<Record<string, PublishedOnion>>;
    /** `address:port` of Tor's SOCKS and DNS on the first gateway container, for the controller and the LAN. */
    public readonly socks: pulumi.Output<string>;
    public readonly dns: pulumi.Output<string>;
    /** `address:port` a node's dockerd can forward 127.0.0.1:5010 and :5000 to. */
    public readonly registryAddress: pulumi.Output<string>;
    public readonly mirrorAddress?: pulumi.Output<string>;
    /** Services it runs. */
    public readonly services: SwarmService[];

    constructor(name: string, args: GatewayTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bcm:gateway:GatewayTier", name, {}, opts);
        const child = (role: string) => `${name}-${role}`;
        const first = args.members[0];
        if (!first) throw new Error("gateway tier: no members; the cluster needs at least one endpoint");
        const onionServices = args.onionServices ?? defaultOnionServices;
        onionServices.forEach((s, i) => {
            if (s.clients.length === 0 && !s.public) {
                throw new Error(`gateway onionServices[${i}].clients: list at least one client, or set public: true; an onion service without authorization is open to anyone`);
            }
        });

        // The mirror fetches through Tor; distribution's proxy mode will not even start without
        // its upstream, so an offline gateway has no mirror (and dockerd is told of none).
        const withMirror = args.tor.network !== "offline";
        this.tier = new SystemContainerTier(
            child("tier"),
            {
                tier: "gateway",
                cluster: args.cluster,
                members: args.members,
                swarm: { start: true },
                dockerSocketDir: args.dockerSocketDir,
                ...(withMirror ? { registryMirror: `http://127.0.0.1:${gatewayPorts.mirror}` } : {}),
            },
            { parent: this },
        );
        const gw01 = this.tier.members[0];
        this.registryAddress = pulumi.interpolate`${gw01.address}:${gatewayPorts.registry}`;
        this.mirrorAddress = withMirror ? pulumi.interpolate`${gw01.address}:${gatewayPorts.mirror}` : undefined;
        this.socks = pulumi.interpolate`${gw01.address}:${gatewayPorts.socks}`;
        this.dns = pulumi.interpolate`${gw01.address}:${gatewayPorts.dns}`;

        // Probe every member's kernel before any overlay exists.
        const probes = args.members.map(
            (m, i) =>
                new lxd.Exec(
                    child(`${m.containerName}-esp-probe`),
                    { instance: this.tier.members[i].instance.name, create: espProbeCommand, endpoint: m.endpoint },
                    { parent: this },
                ).stdout,
        );
        const decision = pulumi.all(probes).apply((found) => {
            const d = decideOverlayEncryption(
                args.overlayEncryption ?? "auto",
                Object.fromEntries(found.map((f, i) => [args.members[i].containerName, f.trim() === "esp"])),
            );
            if (d.warning) pulumi.log.warn(d.warning, this);
            return d;
        });
        this.overlayEncrypted = decision.apply((d) => d.encrypted);

        this.docker = new docker.Provider(child("docker"), { host: this.tier.dockerHost! }, { parent: this, dependsOn: this.tier.ready });
        const onDocker = { parent: this, provider: this.docker };
        // Secrets and configs are named after their content, so a new one never takes an old
        // one's name: it is made first, the services move to it, then the old one goes. (The
        // Terraform bridge would otherwise delete first any resource with a given name, which a
        // swarm refuses while a service still uses it.)
        const contentNamed = { ...onDocker, deleteBeforeReplace: false };
        this.gatewayNetwork = overlayNetwork(child("net"), "bcm-gateway", { internal: true, encrypted: this.overlayEncrypted }, onDocker);
        this.egressNetwork = overlayNetwork(child("egress"), "bcm-egress", { internal: false, encrypted: this.overlayEncrypted }, onDocker);
        this.tierNetworks = Object.fromEntries(
            (args.tierNetworks ?? []).map((t) => [t, overlayNetwork(child(`${t}-net`), `bcm-${t}`, { internal: true, encrypted: this.overlayEncrypted }, onDocker)]),
        );

        // The registry image is loaded straight into the first manager: it is what every other image comes from.
        // Tagged with its registry name but not pushed (nothing runs yet to push to): swarm falls
        // back to the loaded image on this node, and the image is pushed once the registry runs.
        const registryRef = pulumi.output(`127.0.0.1:${gatewayPorts.registry}`);
        const registryLocal = new SwarmImage(
            child("registry-load"),
            { source: args.images.registry, dockerHost: this.tier.dockerHost!, registry: registryRef, push: false },
            { parent: this },
        );
        const pinned = `node.hostname == ${first.containerName}`;
        const registry = new SwarmService(
            "registry",
            {
                image: registryLocal.ref,
                tier: "gateway",
                constraints: [pinned],
                networks: [{ network: this.gatewayNetwork, aliases: ["registry"] }],
                // Host-mode ports need the docker_gwbridge, which only a non-internal network brings.
                egress: this.egressNetwork,
                // No REGISTRY_HTTP_SECRET: it only signs upload state shared between registry
                // instances, and this one runs alone (distribution then draws its own at start).
                volumes: { "bcm-registry-data": "/var/lib/docker-registry" },
                ports: [{ target: 5000, published: gatewayPorts.registry }],
                memoryMiB: 256,
            },
            onDocker,
        );
        const publish = (image: string, source: pulumi.Input<string>) =>
            new SwarmImage(child(`${image}-image`), { source, dockerHost: this.tier.dockerHost!, registry: registryRef }, { parent: this, dependsOn: [registry] }).ref;
        this.images = { registry: publish("registry", args.images.registry), tor: publish("tor", args.images.tor) };
        for (const [n, src] of Object.entries(args.images.extra ?? {})) this.images[n] = publish(n, src);

        // Onion keys: random seeds kept (encrypted) in the stack's state, so addresses survive redeploys.
        const published = onionServices.map((s) => {
            const seed = new random.RandomBytes(child(`onion-${s.name}-seed`), { length: 32 }, { parent: this });
            const key = seed.base64.apply((b) => onionServiceKey(Buffer.from(b, "base64")));
            const clients = s.clients.map((c) => {
                const clientSeed = new random.RandomBytes(child(`onion-${s.name}-client-${c}`), { length: 32 }, { parent: this });
                return pulumi.all([key, clientSeed.base64]).apply(([k, b]) => ({ name: c, auth: clientAuthorization(k.address, Buffer.from(b, "base64")) }));
            });
            const digest = (data: string) => createHash("sha256").update(data).digest("hex").slice(0, 12);
            const secretData = key.apply((k) => Buffer.from(k.secretKeyFile).toString("base64"));
            const clientsText = pulumi.all(clients).apply((cs) => cs.map((c) => c.auth.serviceLine).join("\n") + "\n");
            // Swarm secrets are immutable: a content-derived name makes a change a new secret.
            const keySecret = new docker.Secret(
                child(`onion-${s.name}-key`),
                { name: secretData.apply((d) => `bcm-onion-${s.name}-key-${digest(d)}`), data: pulumi.secret(secretData) },
                contentNamed,
            );
            const clientSecret =
                s.clients.length === 0
                    ? undefined
                    : new docker.Secret(
                          child(`onion-${s.name}-clients`),
                          {
                              name: clientsText.apply((t) => `bcm-onion-${s.name}-clients-${digest(t)}`),
                              data: pulumi.secret(clientsText.apply((t) => Buffer.from(t).toString("base64"))),
                          },
                          contentNamed,
                      );
            const onion = pulumi.all([key, pulumi.all(clients)]).apply(([k, cs]) => ({
                address: k.address,
                clientAuthLines: Object.fromEntries(cs.map((c) => [c.name, c.auth.clientLine])),
            }));
            return { s, keySecret, clientSecret, onion };
        });
        this.onions = pulumi.secret(pulumi.all(published.map((p) => p.onion)).apply((os) => Object.fromEntries(os.map((o, i) => [onionServices[i].name, o]))));

        const torrc = gatewayTorrc(
            args.tor,
            onionServices.map((s) => ({ name: s.name, ports: [{ virtualPort: s.virtualPort, target: s.target }] })),
        );
        const torConfig = new docker.ServiceConfig(
            child("torrc"),
            { name: `bcm-torrc-${createHash("sha256").update(torrc).digest("hex").slice(0, 12)}`, data: Buffer.from(torrc).toString("base64") },
            contentNamed,
        );
        const tor = new SwarmService(
            "tor",
            {
                image: this.images.tor,
                tier: "gateway",
                networks: [this.gatewayNetwork, ...Object.values(this.tierNetworks)].map((network) => ({ network, aliases: ["tor"] })),
                egress: this.egressNetwork,
                configs: [{ source: torConfig, fileName: "/etc/bcm/torrc" }],
                secrets: published.flatMap((p) => [
                    { source: p.keySecret, fileName: `onion-${p.s.name}-secret` },
                    ...(p.clientSecret ? [{ source: p.clientSecret, fileName: `onion-${p.s.name}-clients` }] : []),
                ]),
                volumes: { "bcm-tor-data": "/var/lib/tor" },
                ports: [
                    { target: 9050, published: gatewayPorts.socks },
                    { target: 9053, published: gatewayPorts.dns, protocol: "udp" },
                ],
                // Offline (DisableNetwork 1) Tor opens no SOCKS port, so there only the process can be checked.
                healthcheck: args.tor.network === "offline" ? "kill -0 1" : "nc -z 127.0.0.1 9050",
                constraints: [pinned],
                memoryMiB: 256,
            },
            { ...onDocker, dependsOn: [registry] },
        );
        this.services = [registry, tor];
        if (!withMirror) {
            this.registerOutputs({ socks: this.socks, dns: this.dns, registryAddress: this.registryAddress, overlayEncrypted: this.overlayEncrypted, images: this.images, onions: this.onions });
            return;
        }
        const mirror = new SwarmService(
            "registry-mirror",
            {
                image: this.images.registry,
                tier: "gateway",
                constraints: [pinned],
                networks: [{ network: this.gatewayNetwork, aliases: ["registry-mirror"] }],
                egress: this.egressNetwork,
                env: {
                    REGISTRY_PROXY_REMOTEURL: args.registryMirrorUpstream ?? "https://registry-1.docker.io",
                    // Every outside connection goes through Tor: Go's HTTP client speaks SOCKS5 with remote name resolution.
                    HTTP_PROXY: "socks5://tor:9050",
                    HTTPS_PROXY: "socks5://tor:9050",
                },
                volumes: { "bcm-registry-mirror-data": "/var/lib/docker-registry" },
                ports: [{ target: 5000, published: gatewayPorts.mirror }],
                memoryMiB: 256,
            },
            { ...onDocker, dependsOn: [tor] },
        );
        this.services.push(mirror);
        this.registerOutputs({
            socks: this.socks,
            dns: this.dns,
            registryAddress: this.registryAddress,
            overlayEncrypted: this.overlayEncrypted,
            images: this.images,
            onions: this.onions,
        });
    }
}
