import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { tierConstraint } from "./daemonConfig";

/** A published port. Always host mode: the routing mesh needs IPVS, which not every kernel has. */
export interface ServicePort {
    /** The port inside the task. */
    target: number;
    /** The port on the tier container that runs the task. */
    published: number;
    /** "tcp" (default) or "udp". */
    protocol?: "tcp" | "udp";
}

/** A file from a swarm secret or config, mounted under /run/secrets or at `fileName`. */
export interface ServiceFile {
    /** The docker.Secret or docker.ServiceConfig. */
    source: docker.Secret | docker.ServiceConfig;
    /** Where it appears: a name under /run/secrets (secrets) or an absolute path (configs). */
    fileName: pulumi.Input<string>;
    /** File mode, default 0444 (0400 for secrets). */
    mode?: number;
    /** Owner (numeric uid, also the gid) inside the task, for a service that runs as a user; default root. */
    uid?: number;
}

export interface SwarmServiceArgs {
    /** The image, from the private registry (a SwarmImage's `ref`). */
    image: pulumi.Input<string>;
    /** The tier whose containers run it (engine label `bcm-tier`). */
    tier: pulumi.Input<string>;
    /** More placement constraints, e.g. `node.hostname == bcm-gateway-01` for a service with local data. */
    constraints?: pulumi.Input<pulumi.Input<string>>[];
    /** Overlay networks it joins, each with its DNS aliases; the first alias names it for other services. */
    networks: { network: docker.Network; aliases?: pulumi.Input<string>[] }[];
    /** The only way out besides Tor: a non-internal network, given only to services that declare they need it. */
    egress?: docker.Network;
    /** Command (entrypoint) and arguments; default the image's. */
    command?: pulumi.Input<pulumi.Input<string>[]>;
    args?: pulumi.Input<pulumi.Input<string>[]>;
    /** Environment variables. */
    env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Swarm secrets (never in env or image). */
    secrets?: ServiceFile[];
    /** Swarm configs. */
    configs?: ServiceFile[];
    /** Named volumes on the node: volume name → mount path. */
    volumes?: Record<string, string>;
    /** Directories of the tier container (e.g. on a kept data volume) → mount path; pin the service to that container. */
    binds?: Record<string, string>;
    /** The same, mounted read-only (another service's data this one only reads). */
    readOnlyBinds?: Record<string, string>;
    /** Host-mode ports on the tier container. */
    ports?: ServicePort[];
    /** A command whose success means healthy (CMD-SHELL form); the update waits for it. */
    healthcheck?: pulumi.Input<string>;
    /** How long a starting task may fail its healthcheck before failures count (Docker's start period); default 10s. */
    healthStartPeriod?: string;
    /** Tasks: a number, or "global" for one on every container of the tier; default 1. */
    replicas?: number | "global";
    /** Memory limit in MiB; default 512. */
    memoryMiB?: number;
    /**
     * CPU limit in CPUs; default none. dockerd in an unprivileged system container often has
     * no CFS controller (it rejects every task then), so CPU is limited per system container
     * by LXD (`limits.cpu` in the docker-host profile) and per service only when asked.
     */
    cpus?: number;
    /** How other services find it: "dnsrr" (default; needs no IPVS) or "vip". */
    endpointMode?: "dnsrr" | "vip";
}

/**
 * The platforms Docker writes into the placement of a service whose image is named by its
 * registry digest (from the image's manifest): declared here as Docker records them, or a
 * refresh reads them back as a change and the next up restarts the service. The images are
 * built on the controller, so their platform is its own. None for an image named by tag only.
 */
export function registryPlatforms(image: string, arch: string = process.arch): { os: string; architecture: string }[] | undefined {
    if (!image.includes("@sha256:")) return undefined;
    const architecture = ({ x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x" } as Record<string, string>)[arch] ?? arch;
    return [{ os: "linux", architecture }];
}

/** Defaults and checks as a plain function, so they are tested without an engine. */
export function serviceSpecDefaults(name: string, a: Pick<SwarmServiceArgs, "replicas" | "memoryMiB" | "cpus" | "ports" | "endpointMode">) {
    const replicas = a.replicas ?? 1;
    if (replicas !== "global" && (!Number.isInteger(replicas) || replicas < 0)) {
        throw new Error(`service ${name}: replicas ${replicas} must be a whole number ≥ 0 or "global"`);
    }
    const memoryMiB = a.memoryMiB ?? 512;
    if (!(memoryMiB >= 6)) throw new Error(`service ${name}: memoryMiB ${memoryMiB} is below Docker's minimum of 6`);
    const cpus = a.cpus;
    if (cpus !== undefined && !(cpus > 0)) throw new Error(`service ${name}: cpus ${cpus} must be above 0`);
    const seen = new Set<string>();
    for (const p of a.ports ?? []) {
        for (const [field, v] of [["target", p.target], ["published", p.published]] as const) {
            if (!Number.isInteger(v) || v < 1 || v > 65535) throw new Error(`service ${name}: ports ${field} ${v} is not a port (1-65535)`);
        }
        const key = `${p.published}/${p.protocol ?? "tcp"}`;
        if (seen.has(key)) throw new Error(`service ${name}: port ${key} is published twice`);
        seen.add(key);
    }
    return {
        mode: replicas === "global" ? { global: true } : { replicated: { replicas } },
        limits: { memoryBytes: memoryMiB * 1024 * 1024, ...(cpus !== undefined ? { nanoCpus: Math.round(cpus * 1e9) } : {}) },
        endpointMode: a.endpointMode ?? "dnsrr",
    };
}

/**
 * A Docker Swarm service the BCM way: its image from the private registry, placed by tier
 * label, secrets and configs as files, a healthcheck gating updates, restart and rolling
 * update policies, resource limits, and internal overlays only — the service has no way out
 * except the gateway's Tor, unless it declares `egress`.
 */
export class SwarmService extends pulumi.ComponentResource {
    /** The service's name in the swarm. */
    public readonly serviceName: pulumi.Output<string>;
    /** The underlying docker.Service. */
    public readonly service: docker.Service;

    constructor(name: string, args: SwarmServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bcm:swarm:SwarmService", name, {}, opts);
        const d = serviceSpecDefaults(name, args);
        const networks = [...args.networks.map((n) => ({ id: n.network.id, aliases: n.aliases ?? [name] }))];
        if (args.egress) networks.push({ id: args.egress.id, aliases: [] });
        this.service = new docker.Service(
            name,
            {
                name,
                taskSpec: {
                    containerSpec: {
                        image: args.image,
                        commands: args.command,
                        args: args.args,
                        env: args.env ?? {},
                        secrets: (args.secrets ?? []).map((s) => ({
                            secretId: s.source.id,
                            secretName: s.source.name,
                            fileName: s.fileName,
                            fileMode: s.mode ?? 0o400,
                            ...(s.uid !== undefined ? { fileUid: String(s.uid), fileGid: String(s.uid) } : {}),
                        })),
                        configs: (args.configs ?? []).map((c) => ({
                            configId: c.source.id,
                            configName: c.source.name,
                            fileName: c.fileName,
                            fileMode: c.mode ?? 0o444,
                            ...(c.uid !== undefined ? { fileUid: String(c.uid), fileGid: String(c.uid) } : {}),
                        })),
                        mounts: [
                            ...Object.entries(args.volumes ?? {}).map(([source, target]) => ({ type: "volume", source, target })),
                            ...Object.entries(args.binds ?? {}).map(([source, target]) => ({ type: "bind", source, target })),
                            ...Object.entries(args.readOnlyBinds ?? {}).map(([source, target]) => ({ type: "bind", source, target, readOnly: true })),
                        ],
                        healthcheck: args.healthcheck
                            ? { tests: ["CMD-SHELL", args.healthcheck], interval: "5s", timeout: "3s", retries: 3, startPeriod: args.healthStartPeriod ?? "10s" }
                            : undefined,
                        stopGracePeriod: "10s",
                    },
                    networksAdvanceds: networks,
                    placement: {
                        constraints: pulumi.all([pulumi.output(args.tier).apply(tierConstraint), ...(args.constraints ?? [])]),
                        // Undefined (left out) for an image named by tag only.
                        platforms: pulumi.output(args.image).apply((i) => registryPlatforms(i)) as pulumi.Output<{ os: string; architecture: string }[]>,
                    },
                    resources: { limits: d.limits },
                    restartPolicy: { condition: "any", delay: "5s", window: "30s" },
                },
                mode: d.mode,
                updateConfig: { parallelism: 1, order: "stop-first", failureAction: "rollback", monitor: "15s" },
                rollbackConfig: { parallelism: 1, order: "stop-first" },
                endpointSpec: {
                    mode: d.endpointMode,
                    ports: (args.ports ?? []).map((p) => ({
                        targetPort: p.target,
                        publishedPort: p.published,
                        protocol: p.protocol ?? "tcp",
                        publishMode: "host",
                    })),
                },
                // Up returns when the tasks run (and pass their healthcheck), not when they are scheduled.
                convergeConfig: { delay: "2s", timeout: "5m" },
            },
            { parent: this },
        );
        this.serviceName = this.service.name;
        this.registerOutputs({ serviceName: this.serviceName });
    }
}
