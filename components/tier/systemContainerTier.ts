import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as lxd from "../lxd/resources";
import { dockerDaemonConfig } from "../swarm/daemonConfig";
import { configureDockerScript, parseJoinTokens, swarmInitScript, swarmJoinScript, swarmLeaveScript, swarmNodeScript } from "./swarmScripts";

/** One system container of a tier: where it goes and what it is made from. */
export interface TierMemberArgs {
    /** The container's name, `bcm-<tier>-NN` (placement's systemContainerName). */
    containerName: string;
    /** The LXD endpoint it runs on. */
    endpoint: pulumi.Input<lxd.EndpointArgs>;
    /** The image on that endpoint (a fingerprint): bcm-template, which runs dockerd. */
    image: pulumi.Input<string>;
    /** Profiles, last wins; the docker-host profile (unprivileged, nesting, limits) among them. */
    profiles: pulumi.Input<pulumi.Input<string>[]>;
    /** Storage pool for the container's dockerd volume; default "default". */
    storagePool?: pulumi.Input<string>;
    /** Swarm role: the first member of the gateway tier starts the swarm. */
    swarmRole: "manager" | "worker";
    /** More storage volumes for data that must outlive the container (chain data), attached at their paths. */
    dataVolumes?: DataVolume[];
}

/** A custom storage volume `<container>-<name>` attached to a tier container. */
export interface DataVolume {
    /** Its name after the container's: lower-case letters, digits and '-'. */
    name: string;
    /** Where it appears inside the container. */
    path: string;
    /**
     * Kept when the stack is destroyed (Pulumi's retainOnDelete), and taken over again by the
     * same cluster's next `up`: for data that takes days to rebuild, like a chain.
     */
    retain?: boolean;
}

/** How a tier's containers join the swarm. */
export type SwarmMembership =
    /** The gateway tier: its first member starts the swarm, the others join it. */
    | { start: true }
    /** Every other tier: join the swarm the gateway started. */
    | {
          start?: false;
          managerAddress: pulumi.Input<string>;
          workerToken: pulumi.Input<string>;
          managerToken?: pulumi.Input<string>;
          /** The first manager's node ID (the starting tier's `managerNodeId`): a new one means a new swarm, which the members join again. */
          managerNodeId?: pulumi.Input<string>;
      };

/** Ports on a tier container that lead to a service on another one (LXD proxy devices). */
export interface ForwardedPort {
    /** The port inside the container, on 127.0.0.1. */
    port: number;
    /** Where the endpoint's host connects to: `address:port`. */
    target: pulumi.Input<string>;
}

export interface SystemContainerTierArgs {
    /** The tier's name: dockerd's engine label `bcm-tier=<tier>`, the `bcm-<tier>-NN` container names. */
    tier: string;
    /** Its containers, in placement order. */
    members: TierMemberArgs[];
    /** Starting or joining the swarm. */
    swarm: SwarmMembership;
    /** Docker Hub mirror for dockerd, e.g. "http://127.0.0.1:5000"; omit for none. */
    registryMirror?: string;
    /** 127.0.0.1 ports inside every container (but the first of a swarm-starting tier) that lead elsewhere: the registries. */
    forwardedPorts?: ForwardedPort[];
    /** Host directory for the unix socket through which the controller reaches the first member's dockerd (swarm-starting tier only). */
    dockerSocketDir?: string;
    /** The cluster that owns the containers and volumes, recorded as `user.bcm.cluster` (what `bcm cluster cull` checks before deleting anything). */
    cluster: string;
}

/** A running member, as other components use it. */
export interface TierMember {
    containerName: string;
    /** Its eth0 address on the endpoint's bridge. */
    address: pulumi.Output<string>;
    instance: lxd.Instance;
    /** The container's `volatile.uuid`: another one when it was made again (a trigger for what must run in a new container). */
    uuid: pulumi.Output<string>;
    /** The LXD endpoint it runs on (for Execs in it). */
    endpoint: pulumi.Input<lxd.EndpointArgs>;
}

/**
 * A tier of system containers (`bcm-<tier>-NN`), one per chosen endpoint, each running
 * dockerd with its data on its own storage volume (so the container can be rebuilt without
 * losing images and service data) and joined into one Docker Swarm. Everything inside the
 * containers happens through LXD's exec API, so SSH endpoints work the same as the local one.
 */
export class SystemContainerTier extends pulumi.ComponentResource {
    /** The members in placement order. */
    public readonly members: TierMember[];
    /** `unix:///…sock`: the first member's dockerd on the controller (swarm-starting tier only). */
    public readonly dockerHost?: pulumi.Output<string>;
    /** The swarm's join tokens (secret; swarm-starting tier only). */
    public readonly joinTokens?: pulumi.Output<{ worker: string; manager: string }>;
    /** `address:2377` of the first manager (swarm-starting tier only). */
    public readonly managerAddress?: pulumi.Output<string>;
    /** The first manager's node ID, another one when its swarm was started anew (swarm-starting tier only). */
    public readonly managerNodeId?: pulumi.Output<string>;
    /** Every member's swarm join, for components that need the whole tier in the swarm. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: SystemContainerTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bcm:tier:SystemContainerTier", name, {}, opts);
        if (args.members.length === 0) {
            throw new Error(`tier ${args.tier}: no members; place the tier on at least one endpoint`);
        }
        const starts = "start" in args.swarm && args.swarm.start === true;
        if (starts && !args.dockerSocketDir) {
            throw new Error(`tier ${args.tier}: a swarm-starting tier needs dockerSocketDir, where the controller's socket to its dockerd goes`);
        }
        const daemonJson = JSON.stringify(dockerDaemonConfig({ tier: args.tier, registryMirror: args.registryMirror }));
        this.members = [];
        this.ready = [];
        let init: lxd.Exec | undefined;
        let managerAddress: pulumi.Output<string> | undefined;
        let tokens: pulumi.Output<{ worker: string; manager: string }> | undefined;
        let socket: lxd.InstanceSocket | undefined;
        let managerNodeId: pulumi.Input<string> | undefined = starts ? undefined : (args.swarm as { managerNodeId?: pulumi.Input<string> }).managerNodeId;

        /** Where a member that does not start the swarm joins it, and with which token. */
        const joinOf = (role: TierMemberArgs["swarmRole"]): { managerAddress: pulumi.Input<string>; token: pulumi.Input<string> } => {
            if (starts) return { managerAddress: managerAddress!, token: role === "manager" ? tokens!.manager : tokens!.worker };
            const s = args.swarm as Exclude<SwarmMembership, { start: true }>;
            return { managerAddress: s.managerAddress, token: role === "manager" && s.managerToken ? s.managerToken : s.workerToken };
        };

        args.members.forEach((m, i) => {
            const first = i === 0;
            const child = (role: string) => `${name}-${m.containerName}-${role}`;
            const volume = new lxd.StorageVolume(
                child("docker"),
                {
                    pool: m.storagePool ?? "default",
                    name: `${m.containerName}-docker`,
                    description: `dockerd data of ${m.containerName}`,
                    config: { "user.bcm.cluster": args.cluster },
                    endpoint: m.endpoint,
                },
                { parent: this },
            );
            const devices: Record<string, pulumi.Input<Record<string, pulumi.Input<string>>>> = {
                dockerdisk: { type: "disk", pool: volume.pool, source: volume.name, path: "/var/lib/docker" },
            };
            for (const d of m.dataVolumes ?? []) {
                if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(d.name)) throw new Error(`tier ${args.tier}: dataVolumes name "${d.name}": use 1-31 lower-case letters, digits and '-'`);
                if (!d.path.startsWith("/")) throw new Error(`tier ${args.tier}: dataVolumes ${d.name} path "${d.path}" must be absolute`);
                const data = new lxd.StorageVolume(
                    child(d.name),
                    {
                        pool: m.storagePool ?? "default",
                        name: `${m.containerName}-${d.name}`,
                        description: `${d.name} of ${m.containerName}${d.retain ? " (kept when the stack is destroyed)" : ""}`,
                        config: { "user.bcm.cluster": args.cluster, ...(d.retain ? { "user.bcm.retain": "true" } : {}) },
                        endpoint: m.endpoint,
                    },
                    { parent: this, retainOnDelete: d.retain === true },
                );
                devices[`data-${d.name}`] = { type: "disk", pool: data.pool, source: data.name, path: d.path };
            }
            if (starts && first) {
                // The swarm's first manager comes back on the address it had when its container
                // is made again: its dockerd keeps that address in the kept docker volume and will
                // not start the swarm on another (moby/moby#41043), and every worker knows only it.
                const address = new lxd.StaticAddress(child("address"), { instance: m.containerName, profiles: m.profiles, endpoint: m.endpoint }, { parent: this });
                devices.eth0 = { type: "nic", name: "eth0", network: address.network, "ipv4.address": address.address };
            }
            if (!(starts && first)) {
                for (const f of args.forwardedPorts ?? []) {
                    devices[`forward${f.port}`] = {
                        type: "proxy",
                        listen: `tcp:127.0.0.1:${f.port}`,
                        connect: pulumi.interpolate`tcp:${f.target}`,
                        bind: "instance",
                    };
                }
            }
            const instance = new lxd.Instance(
                child("container"),
                {
                    name: m.containerName,
                    image: m.image,
                    profiles: m.profiles,
                    description: `BCM ${args.tier} tier`,
                    config: { "user.bcm.cluster": args.cluster },
                    devices,
                    waitForAddress: { interface: "eth0" },
                    endpoint: m.endpoint,
                },
                { parent: this },
            );
            if (starts && first) {
                // The controller's only way to this dockerd: a root-only unix socket on the host,
                // never a TCP Docker port on the LAN. Not an LXD proxy device: LXD 5.0.2's relay
                // closes both directions when one ends, which loses `docker exec`/`attach`
                // output (toolchain/dockerforward); the InstanceSocket's forwarder passes
                // half-closes on.
                fs.mkdirSync(args.dockerSocketDir!, { recursive: true, mode: 0o700 });
                socket = new lxd.InstanceSocket(
                    child("socket"),
                    { instance: instance.name, path: path.join(args.dockerSocketDir!, `${m.containerName}.sock`), endpoint: m.endpoint },
                    { parent: this },
                );
            }
            const uuid = instance.config.apply((c) => c["volatile.uuid"] ?? "");
            const configure = new lxd.Exec(
                child("dockerd"),
                {
                    instance: instance.name,
                    create: ["sh", "-c", configureDockerScript],
                    environment: { DAEMON_JSON: daemonJson },
                    triggers: [uuid],
                    endpoint: m.endpoint,
                },
                { parent: this },
            );
            let membership: lxd.Exec;
            if (starts && first) {
                init = new lxd.Exec(
                    child("swarm"),
                    {
                        instance: instance.name,
                        create: ["sh", "-c", swarmInitScript],
                        delete: ["sh", "-c", swarmLeaveScript],
                        // Only a new container means a new membership: replacing this would run the
                        // old one's `leave` after the new `init` and end the swarm under its services.
                        triggers: [uuid],
                        endpoint: m.endpoint,
                    },
                    { parent: this, dependsOn: [configure], additionalSecretOutputs: ["stdout"] },
                );
                membership = init;
                managerAddress = pulumi.interpolate`${instance.ipv4Address}:2377`;
                tokens = pulumi.secret(init.stdout.apply(parseJoinTokens));
                // The same ID when the container came back on its kept docker volume (the same
                // swarm), another when it started a new swarm: the members' check runs again.
                managerNodeId = new lxd.Exec(
                    child("swarm-node"),
                    { instance: instance.name, create: ["sh", "-c", swarmNodeScript], triggers: [uuid], endpoint: m.endpoint },
                    { parent: this, dependsOn: [init] },
                ).stdout;
            } else {
                const join = joinOf(m.swarmRole);
                membership = new lxd.Exec(
                    child("swarm"),
                    {
                        instance: instance.name,
                        create: ["sh", "-c", swarmJoinScript],
                        delete: ["sh", "-c", swarmLeaveScript],
                        environment: { MANAGER: join.managerAddress },
                        stdin: pulumi.secret(pulumi.interpolate`${join.token}\n`),
                        triggers: [uuid],
                        endpoint: m.endpoint,
                    },
                    // A join runs again only in a new container (the uuid trigger). A changed token or
                    // address, a new version of the join script, or the move of the token from the
                    // environment to stdin, must not replace the Exec: the replaced one's delete command
                    // would take the node out of the swarm. A new container runs the script as it is now.
                    { parent: this, dependsOn: [configure, ...(init ? [init] : [])], ignoreChanges: ["environment", "stdin", "create"] },
                );
            }
            if (membership !== init && managerNodeId !== undefined) {
                // Whenever the first manager's swarm is another one, the member leaves the one that
                // is gone and joins it (the join script, checking the manager's ID); otherwise this
                // finds the member where it belongs and does nothing. No delete command: leaving
                // stays the join's. Any change of its inputs runs it again, which is harmless.
                const join = joinOf(m.swarmRole);
                membership = new lxd.Exec(
                    child("swarm-check"),
                    {
                        instance: instance.name,
                        create: ["sh", "-c", swarmJoinScript],
                        environment: { MANAGER: join.managerAddress, MANAGER_ID: managerNodeId },
                        stdin: pulumi.secret(pulumi.interpolate`${join.token}\n`),
                        triggers: [managerNodeId],
                        endpoint: m.endpoint,
                    },
                    { parent: this, dependsOn: [membership] },
                );
            }
            this.ready.push(membership);
            this.members.push({ containerName: m.containerName, address: instance.ipv4Address, instance, uuid, endpoint: m.endpoint });
        });

        if (starts) {
            // Known only once the swarm exists and the socket is served, so nothing dials it before dockerd is there.
            this.dockerHost = pulumi.all([init!.id, socket!.path]).apply(([, p]) => `unix://${p}`);
            this.joinTokens = tokens;
            this.managerAddress = managerAddress;
            this.managerNodeId = pulumi.output(managerNodeId!);
        }
        this.registerOutputs({
            members: this.members.map((m) => ({ containerName: m.containerName, address: m.address })),
            dockerHost: this.dockerHost,
            managerAddress: this.managerAddress,
        });
    }
}
