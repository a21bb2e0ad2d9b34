import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/** What kind of overlay a tier or the gateway gets. */
export interface OverlayArgs {
    /** Internal networks have no route out: services on them reach only each other (and Tor through the gateway's). */
    internal: boolean;
    /** Encrypt VXLAN traffic between nodes (decided by decideOverlayEncryption). */
    encrypted: pulumi.Input<boolean>;
}

/**
 * The docker.Network arguments of a BCM overlay: attachable, so tests and operators can join
 * it. Whether it is encrypted is also a label: dockerd adds its own keys to `options`
 * (`…overlay.vxlanid_list`), so options are left out of diffs (see overlayNetwork), and the
 * label, which dockerd leaves alone, is what replaces the network when encryption changes.
 */
export function overlayNetworkArgs(name: string, a: OverlayArgs): docker.NetworkArgs {
    const encrypted = pulumi.output(a.encrypted);
    return {
        name,
        driver: "overlay",
        attachable: true,
        internal: a.internal,
        // Left out when unencrypted: the provider treats options as computed then, and dockerd's
        // own keys cause no diff. (Encrypted overlays could not be tried here: no ESP.)
        options: encrypted.apply((e) => (e ? { encrypted: "true" } : undefined)) as pulumi.Input<Record<string, string>>,
        labels: [
            { label: "bcm.network", value: a.internal ? "internal" : "egress" },
            { label: "bcm.encrypted", value: encrypted.apply(String) },
        ],
    };
}

/** A BCM overlay network on a swarm (see overlayNetworkArgs). */
export function overlayNetwork(resourceName: string, networkName: string, a: OverlayArgs, opts: pulumi.CustomResourceOptions): docker.Network {
    return new docker.Network(resourceName, overlayNetworkArgs(networkName, a), { ...opts, ignoreChanges: [...(opts.ignoreChanges ?? []), "options"] });
}
