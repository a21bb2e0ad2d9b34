import { arrayOf, booleanOf, numberOf, objectOf, read, stringOf, UNKNOWN, Unknown } from "./values";

/** Resource types of @pulumi/docker 5.x that the policies read. */
export const dockerTypes = {
    service: "docker:index/service:Service",
    container: "docker:index/container:Container",
    serviceConfig: "docker:index/serviceConfig:ServiceConfig",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    network: "docker:index/network:Network",
    provider: "pulumi:providers:docker",
} as const;

/** One host-port publication: where it is in the resource, and the ports involved. */
export interface Publication {
    /** The property path users edit, e.g. `endpointSpec.ports entry 8332`. */
    where: string;
    /** The host port, or undefined when docker picks one (no publishedPort / external). */
    hostPort?: number;
    /** The port inside the container. */
    targetPort?: number;
}

/**
 * The host ports a swarm service publishes (endpointSpec.ports[]). An entry without
 * publishedPort still publishes: swarm picks a host port from 30000-32767.
 */
export function servicePublications(props: Record<string, unknown>): Publication[] {
    const spec = objectOf(props.endpointSpec);
    return arrayOf(spec?.ports).map((entry) => {
        const p = objectOf(entry) ?? {};
        const hostPort = numberOf(p.publishedPort);
        const targetPort = numberOf(p.targetPort);
        const published = hostPort !== undefined && hostPort > 0 ? hostPort : undefined;
        return {
            where: `endpointSpec.ports entry ${published ?? `with targetPort ${targetPort ?? "?"}`}`,
            hostPort: published,
            targetPort,
        };
    });
}

/**
 * The host ports a container publishes (ports[].external; an entry without external gets
 * a host port docker picks). publishAllPorts publishes every exposed port.
 */
export function containerPublications(props: Record<string, unknown>): Publication[] {
    const pubs: Publication[] = arrayOf(props.ports).map((entry) => {
        const p = objectOf(entry) ?? {};
        const hostPort = numberOf(p.external);
        const targetPort = numberOf(p.internal);
        const published = hostPort !== undefined && hostPort > 0 ? hostPort : undefined;
        return {
            where: `ports entry ${published ?? `with internal ${targetPort ?? "?"}`}`,
            hostPort: published,
            targetPort,
        };
    });
    if (booleanOf(props.publishAllPorts) === true) {
        pubs.push({ where: "publishAllPorts" });
    }
    return pubs;
}

export function publicationsOf(type: string, props: Record<string, unknown>): Publication[] {
    if (type === dockerTypes.service) {
        return servicePublications(props);
    }
    if (type === dockerTypes.container) {
        return containerPublications(props);
    }
    return [];
}

/** The container spec of a swarm service (taskSpec.containerSpec). */
export function containerSpecOf(props: Record<string, unknown>): Record<string, unknown> {
    return objectOf(objectOf(props.taskSpec)?.containerSpec) ?? {};
}

/** The image reference of a service, container or image pull, with where it is set. */
export function imageOf(type: string, props: Record<string, unknown>): { where: string; image: string | Unknown } | undefined {
    if (type === dockerTypes.service) {
        const image = read(() => stringOf(containerSpecOf(props).image));
        return image === undefined ? undefined : { where: "taskSpec.containerSpec.image", image };
    }
    if (type === dockerTypes.container) {
        const image = read(() => stringOf(props.image));
        return image === undefined ? undefined : { where: "image", image };
    }
    if (type === dockerTypes.remoteImage) {
        const image = read(() => stringOf(props.name));
        return image === undefined ? undefined : { where: "name", image };
    }
    return undefined;
}

/** Labels ({ label, value } lists) with where they are set. */
export function labelListsOf(type: string, props: Record<string, unknown>): { where: string; labels: unknown[] }[] {
    switch (type) {
        case dockerTypes.service:
            return [
                { where: "labels", labels: arrayOf(props.labels) },
                { where: "taskSpec.containerSpec.labels", labels: arrayOf(containerSpecOf(props).labels) },
            ];
        case dockerTypes.container:
        case dockerTypes.serviceConfig:
        case dockerTypes.network:
            return [{ where: "labels", labels: arrayOf(props.labels) }];
        default:
            return [];
    }
}

/** Command-line argument lists with where they are set. */
export function argListsOf(type: string, props: Record<string, unknown>): { where: string; args: unknown[] }[] {
    if (type === dockerTypes.service) {
        const spec = containerSpecOf(props);
        return [
            { where: "taskSpec.containerSpec.commands", args: arrayOf(spec.commands) },
            { where: "taskSpec.containerSpec.args", args: arrayOf(spec.args) },
        ];
    }
    if (type === dockerTypes.container) {
        return [
            { where: "entrypoints", args: arrayOf(props.entrypoints) },
            { where: "command", args: arrayOf(props.command) },
        ];
    }
    return [];
}

/** How a service or container is attached to networks. */
export interface Attachment {
    /** Network references (names or ids) as written; UNKNOWN for one not known before deploy. */
    networks: (string | Unknown)[];
    /** Set when the workload shares a network namespace we cannot see through (host, container:x). */
    sharedNamespace?: string;
    /** Set when the workload sits on docker's default bridge (a container with no networks). */
    defaultBridge?: boolean;
}

function networkRefs(list: unknown[]): (string | Unknown)[] {
    return list.map((entry) => {
        // The provider fills the one not given with "" (name is deprecated in favour of id).
        const ref = read(() => {
            const n = objectOf(entry) ?? {};
            return stringOf(n.name) || stringOf(n.id);
        });
        return ref === undefined || ref === "" ? UNKNOWN : ref;
    });
}

/**
 * The networks a swarm service (taskSpec.networksAdvanceds[].name|id) or a container
 * (networkMode + networksAdvanced[].name) is attached to. For a container, the docker
 * provider disconnects the default "bridge" network when networksAdvanced is set, so
 * networkMode "bridge" (its default) with networks means just those networks.
 */
export function attachmentOf(type: string, props: Record<string, unknown>): Attachment {
    if (type === dockerTypes.service) {
        const list = read(() => arrayOf(objectOf(props.taskSpec)?.networksAdvanceds));
        return { networks: list === UNKNOWN ? [UNKNOWN as Unknown] : networkRefs(list) };
    }
    const list = read(() => arrayOf(props.networksAdvanced));
    const networks: (string | Unknown)[] = list === UNKNOWN ? [UNKNOWN] : networkRefs(list);
    const mode = read(() => stringOf(props.networkMode));
    if (mode === UNKNOWN) {
        return { networks: [...networks, UNKNOWN as Unknown] };
    }
    if (mode === undefined || mode === "" || mode === "bridge" || mode === "default") {
        return networks.length > 0 ? { networks } : { networks, defaultBridge: true };
    }
    if (mode === "none") {
        return { networks };
    }
    if (mode === "host" || mode.startsWith("container:") || mode.startsWith("service:")) {
        return { networks, sharedNamespace: mode };
    }
    return { networks: [mode, ...networks] };
}
