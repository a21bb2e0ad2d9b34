/** What a tier container's dockerd needs to know about its place in the data center. */
export interface DaemonConfigArgs {
    /** The tier: dockerd carries the engine label `bcm-tier=<tier>`, which services are placed by. */
    tier: string;
    /** Pull-through mirror for Docker Hub images, e.g. "http://127.0.0.1:5000"; omit for none. */
    registryMirror?: string;
}

/** The engine label key every BCM dockerd carries. */
export const tierLabel = "bcm-tier";

/** The placement constraint that puts a task on a tier's containers. */
export function tierConstraint(tier: string): string {
    return `engine.labels.${tierLabel} == ${tier}`;
}

/**
 * `/etc/docker/daemon.json` for a tier container. overlay2 because the data directory is a
 * plain directory volume; logs rotated so a chatty service cannot fill the volume; no
 * `insecure-registries`: the private registry is reached on 127.0.0.1, which Docker always
 * allows over plain HTTP, so nothing on the LAN is trusted without TLS.
 */
export function dockerDaemonConfig(args: DaemonConfigArgs): Record<string, unknown> {
    if (!/^[a-z][a-z0-9-]*$/.test(args.tier)) {
        throw new Error(`daemon config tier "${args.tier}": use lower-case letters, digits and dashes`);
    }
    const config: Record<string, unknown> = {
        "storage-driver": "overlay2",
        "log-driver": "json-file",
        "log-opts": { "max-size": "10m", "max-file": "3" },
        labels: [`${tierLabel}=${args.tier}`],
    };
    if (args.registryMirror !== undefined) {
        if (!/^https?:\/\/[^\s/]+$/.test(args.registryMirror)) {
            throw new Error(`daemon config registryMirror "${args.registryMirror}": give a URL such as http://127.0.0.1:5000`);
        }
        config["registry-mirrors"] = [args.registryMirror];
    }
    return config;
}
