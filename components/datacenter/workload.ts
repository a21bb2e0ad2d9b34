// A workload tier as the data center knows it: one object per tier that runs something of
// its own (kafka, bitcoin, …), kept in that tier's folder. DataCenter iterates the table
// (workloads.ts) instead of branching on tier names, so adding a tier touches its own folder
// and one line of the table.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Chain } from "../bitcoin/chains";
import type { CipherKeyValueRequest } from "../../device/device";
import type { GatewayOnionService, GatewayTier } from "../gateway/gatewayTier";
import type { DataVolume, SystemContainerTier } from "../tier/systemContainerTier";

/** What a workload is deployed with: its settings, its tier, and the gateway's services. */
export interface WorkloadArgs<S> {
    /** Its settings, as its `readSettings` returned them. */
    settings: S;
    /** The stack's chain (`bcm:chain`). */
    chain: Chain;
    /** Whether the gateway's Tor is offline (no onion address is announced then). */
    torOffline: boolean;
    /** Its tier's system containers, joined to the swarm. */
    tier: SystemContainerTier;
    /** Its tier's internal overlay `bcm-<tier>`, which the gateway's Tor joins (alias `tor`). */
    network: docker.Network;
    /** The gateway: the swarm's docker provider, the images in the private registry, the onion services. */
    gateway: GatewayTier;
    /** The controller's OpenPGP public key (armored), when the stack has one (`bcm:controllerKey`). */
    controllerKey?: string;
    /** The values the device gave the deploy, by the keys its `deviceSecrets` named (hex, secret). */
    deviceSecrets: Record<string, pulumi.Output<string>>;
    /** The cluster (stack) name. */
    cluster: string;
}

/**
 * A value the device gives a workload: one CipherKeyValue, asked by the CLI before every
 * deploy (the program never talks to the device) and kept in the stack's config as the
 * secret `bcm:<key>`, encrypted under the device-derived stack passphrase.
 */
export interface DeviceSecret {
    /** Its stack-config key, without `bcm:`. */
    key: string;
    /** The request whose answer (hex) is the value. */
    request: CipherKeyValueRequest;
}

export interface Workload<S = unknown> {
    /** The tier it runs on, as named in `bcm:tiers`; also its settings key, `bcm:<name>`. */
    readonly name: string;
    /** Reads `bcm:<name>` (parsed JSON, undefined when unset) for the stack's chain, pushing one line per wrong key. */
    readSettings(raw: unknown, chain: Chain, problems: string[]): S;
    /** The Docker images it runs (images/docker/build.sh's names): name → a fixed local tag its settings give, or undefined for the built one. */
    images(settings: S): Record<string, string | undefined>;
    /** Onion services the gateway's Tor publishes for it. */
    onionServices?(settings: S, chain: Chain): GatewayOnionService[];
    /** Custom volumes on its containers, by placement index (data that outlives a container, like a chain). */
    dataVolumes?(settings: S, chain: Chain, index: number): DataVolume[];
    /** It encrypts to the controller's OpenPGP key: the stack must have `bcm:controllerKey`. */
    needsControllerKey?: boolean;
    /** Values it needs from the device (see DeviceSecret). */
    deviceSecrets?(settings: S, cluster: string, chain: Chain): DeviceSecret[];
    /**
     * Settings fixed at its first deploy and written back to the stack (its `bcm:<name>`
     * JSON), e.g. a date that must stay the same ever after; undefined when nothing is missing.
     */
    firstDeploySettings?(settings: S, today: string): Record<string, unknown> | undefined;
    /**
     * Deploys it, as children of `opts.parent`, and returns what the stack exports for it
     * (`dataCenter.workloads.<name>`; secrets stay Outputs marked secret).
     */
    deploy(name: string, args: WorkloadArgs<S>, opts: pulumi.ComponentResourceOptions): pulumi.Input<Record<string, unknown>>;
}

/** Declares a workload with its settings type checked against its functions. */
export function defineWorkload<S>(workload: Workload<S>): Workload<S> {
    return workload;
}
