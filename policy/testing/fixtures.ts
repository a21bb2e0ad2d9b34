import { dockerTypes } from "../lib/docker";
import { lxdTypes } from "../lib/lxd";
import { PolicySettingsInput } from "../settings";
import { ResourceUnderTest } from "./harness";

/** A digest for mainnet image references. */
export const digest = `sha256:${"ab".repeat(32)}`;
export const registry = "127.0.0.1:5010";

/** Settings of a well-formed regtest stack on the local registry. */
export const regtest: PolicySettingsInput = { chain: "regtest", device: "mnemonic", privateRegistry: registry };
/** Settings of a well-formed mainnet stack. */
export const mainnet: PolicySettingsInput = { chain: "mainnet", device: "trezor", privateRegistry: registry };

export interface ServiceSpec {
    name?: string;
    image?: string;
    /** [publishedPort, targetPort] pairs; publishedPort undefined lets swarm pick one. */
    ports?: [number | undefined, number][];
    env?: Record<string, string>;
    args?: string[];
    labels?: Record<string, string>;
    networks?: string[];
    limits?: boolean;
}

/** A docker.Service's props as the engine hands them to a policy. */
export function service(spec: ServiceSpec = {}): ResourceUnderTest {
    const name = spec.name ?? "bitcoind";
    const props: Record<string, unknown> = {
        name,
        taskSpec: {
            containerSpec: {
                image: spec.image ?? `${registry}/bcm/bitcoind:29.0@${digest}`,
                ...(spec.env ? { env: spec.env } : {}),
                ...(spec.args ? { args: spec.args } : {}),
            },
            networksAdvanceds: (spec.networks ?? ["bitcoind-net"]).map((n) => ({ name: n })),
            ...(spec.limits === false ? {} : { resources: { limits: { memoryBytes: 536870912, nanoCpus: 1000000000 } } }),
        },
    };
    if (spec.ports) {
        props.endpointSpec = {
            ports: spec.ports.map(([published, target]) => ({
                targetPort: target,
                ...(published !== undefined ? { publishedPort: published } : {}),
            })),
        };
    }
    if (spec.labels) {
        props.labels = Object.entries(spec.labels).map(([label, value]) => ({ label, value }));
    }
    return { type: dockerTypes.service, name, props };
}

/** A docker.Container's props. */
export function container(props: Record<string, unknown> = {}, name = "worker"): ResourceUnderTest {
    return {
        type: dockerTypes.container,
        name,
        props: { name, image: `${registry}/bcm/worker:1.0@${digest}`, networkMode: "bridge", memory: 512, ...props },
    };
}

/** A docker.Network's props. */
export function network(name: string, internal: boolean, extra: Record<string, unknown> = {}): ResourceUnderTest {
    return { type: dockerTypes.network, name, props: { name, driver: "overlay", internal, ...extra } };
}

/** An lxd:index:Instance's props. */
export function instance(props: Record<string, unknown> = {}, name = "bitcoin-01"): ResourceUnderTest {
    return { type: lxdTypes.instance, name, props: { name, image: "bcm-base", ...props } };
}

/** An lxd:index:Profile's props. */
export function profile(props: Record<string, unknown> = {}, name = "docker"): ResourceUnderTest {
    return { type: lxdTypes.profile, name, props: { name, ...props } };
}

/** A docker provider resource's props. */
export function dockerProvider(props: Record<string, unknown>, name = "tier"): ResourceUnderTest {
    return { type: dockerTypes.provider, name, props };
}
