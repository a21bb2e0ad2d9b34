import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as lxd from "../lxd/resources";
import { decideOverlayEncryption, espProbeCommand, OverlayEncryption } from "../swarm/encryption";
import { overlayNetwork } from "../swarm/networks";
import { SwarmService } from "../swarm/swarmService";
import { SystemContainerTier, TierMemberArgs } from "../tier/systemContainerTier";
import { checkOnionServices, GatewayOnionService, onionSecrets, PublishedOnion } from "./onions";
import { gatewayPorts } from "./ports";
import { checkAllowed, firewallInstallScript } from "./firewall";
import { privateRegistry } from "./privateRegistry";
import { GatewayPlacement, mirrorService, torService } from "./services";
import { TorNetworkSettings } from "./torNetwork";

export { gatewayPorts };
export type { GatewayOnionService, PublishedOnion };

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
    /**
     * Addresses (IPv4 or CIDR) of the other endpoints' hosts, whose LXD proxy devices reach the
     * registry for their tier containers; the first gateway container's own endpoint host is
     * always allowed. Nothing else on the LXD bridge reaches the registry, mirror or Tor ports.
     */
    allowedHosts?: string[];
}

/** The default onion service: the private registry's push side, so the controller can push (with the registry's credentials) from anywhere. */
export const defaultOnionServices: GatewayOnionService[] = [{ name: "registry", virtualPort: 80, target: "registry-push:5000", clients: ["controller"] }];

/**
 * The gateway tier: the spine of a BCM data center. Its containers are the swarm's managers;
 * it runs the private registry (5010) every image comes from, a Docker Hub mirror (5000) that
 * fetches through Tor, and Tor itself: SOCKS (9050) and DNS (9053) for everything else, and
 * the onion services with client authorization. Each part is built by a function of its own
 * (services.ts, onions.ts); this class wires them in order.
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
    /** Where pushes go (`address:5011`) and their credentials (the password secret). */
    public readonly registryPush: pulumi.Output<{ address: string; user: string; password: string }>;
    public readonly mirrorAddress?: pulumi.Output<string>;
    /** Services it runs. */
    public readonly services: SwarmService[];

    constructor(name: string, args: GatewayTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bcm:gateway:GatewayTier", name, {}, opts);
        const child = (role: string) => `${name}-${role}`;
        const first = args.members[0];
        if (!first) throw new Error("gateway tier: no members; the cluster needs at least one endpoint");
        const onionServices = args.onionServices ?? defaultOnionServices;
        checkOnionServices(onionServices);

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

        this.overlayEncrypted = this.probeEncryption(child, args);
        const firewall = this.firewall(child, first, gw01, args);
        this.docker = new docker.Provider(child("docker"), { host: this.tier.dockerHost! }, { parent: this, dependsOn: [...this.tier.ready, firewall] });
        const onDocker = { parent: this, provider: this.docker };
        // Secrets and configs are named after their content, so a new one never takes an old
        // one's name: it is made first, the services move to it, then the old one goes. (The
        // Terraform bridge would otherwise delete first any resource with a given name, which a
        // swarm refuses while a service still uses it.)
        const contentNamed = { ...onDocker, deleteBeforeReplace: false };
        const encrypted = this.overlayEncrypted;
        this.gatewayNetwork = overlayNetwork(child("net"), "bcm-gateway", { internal: true, encrypted }, onDocker);
        this.egressNetwork = overlayNetwork(child("egress"), "bcm-egress", { internal: false, encrypted }, onDocker);
        this.tierNetworks = Object.fromEntries(
            (args.tierNetworks ?? []).map((t) => [t, overlayNetwork(child(`${t}-net`), `bcm-${t}`, { internal: true, encrypted }, onDocker)]),
        );
        const placement: GatewayPlacement = { pinned: `node.hostname == ${first.containerName}`, gatewayNetwork: this.gatewayNetwork, egressNetwork: this.egressNetwork, onDocker };

        // The registry every image comes from, then every image pushed into it.
        const registry = privateRegistry(child, this, placement, contentNamed, { source: args.images.registry, dockerHost: this.tier.dockerHost!, address: gw01.address, managerNodeId: this.tier.managerNodeId! });
        this.registryPush = registry.pushEndpoint;
        this.images = { registry: registry.publish("registry", args.images.registry), tor: registry.publish("tor", args.images.tor) };
        for (const [n, src] of Object.entries(args.images.extra ?? {})) this.images[n] = registry.publish(n, src);

        const onions = onionSecrets(child, onionServices, this, contentNamed);
        this.onions = pulumi.secret(pulumi.all(onions.map((o) => o.onion)).apply((os) => Object.fromEntries(os.map((o, i) => [onionServices[i].name, o]))));
        const tor = torService(placement, { name, image: this.images.tor, tor: args.tor, tierNetworks: Object.values(this.tierNetworks), onions, dependsOn: [registry.pull, registry.push] });
        this.services = [registry.pull, registry.push, tor];
        if (withMirror) this.services.push(mirrorService(placement, { image: this.images.registry, upstream: args.registryMirrorUpstream, tor }));

        this.registerOutputs({
            socks: this.socks,
            dns: this.dns,
            registryAddress: this.registryAddress,
            overlayEncrypted: this.overlayEncrypted,
            images: this.images,
            onions: this.onions,
        });
    }

    /** The registry, mirror and Tor ports answer the data center only, from before any of them runs. */
    private firewall(child: (role: string) => string, first: TierMemberArgs, gw01: SystemContainerTier["members"][number], args: GatewayTierArgs): lxd.Exec {
        return new lxd.Exec(
            child(`${first.containerName}-firewall`),
            {
                instance: gw01.instance.name,
                create: ["sh", "-c", firewallInstallScript()],
                environment: { ALLOW: checkAllowed(args.allowedHosts ?? []).join(" ") },
                triggers: [gw01.uuid],
                endpoint: first.endpoint,
            },
            { parent: this, dependsOn: this.tier.ready },
        );
    }

    /** Probes every member's kernel for ESP before any overlay exists, and decides (warning when unencrypted). */
    private probeEncryption(child: (role: string) => string, args: GatewayTierArgs): pulumi.Output<boolean> {
        const probes = args.members.map(
            (m, i) =>
                new lxd.Exec(
                    child(`${m.containerName}-esp-probe`),
                    { instance: this.tier.members[i].instance.name, create: espProbeCommand, endpoint: m.endpoint },
                    { parent: this },
                ).stdout,
        );
        return pulumi.all(probes).apply((found) => {
            const d = decideOverlayEncryption(
                args.overlayEncryption ?? "auto",
                Object.fromEntries(found.map((f, i) => [args.members[i].containerName, f.trim() === "esp"])),
            );
            if (d.warning) pulumi.log.warn(d.warning, this);
            return d.encrypted;
        });
    }
}
