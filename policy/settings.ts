import { PolicyConfigSchema, PolicyPackConfig } from "@pulumi/policy";
import { allPolicyNames } from "./names";

/**
 * The stack's policy settings: what the `bcm` CLI knows about the stack it deploys and
 * passes to the pack. CrossGuard configuration is per policy (the engine hands each policy
 * only its own section of the --policy-pack-config file), so the same settings object is
 * written into every policy's section (`policyPackConfig`) and every policy declares the
 * same schema (`settingsSchema`), which the engine validates before anything runs.
 */
export interface PolicySettings {
    /** The Bitcoin chain of the stack. Absent means mainnet: the strictest reading wins. */
    chain: Chain;
    /**
     * Where the stack's secrets come from, as the device described itself when the CLI asked
     * (device/attestedDeviceKind.ts): "trezor" (a Trezor over USB or Bridge), "emulator" (a
     * Trezor emulator over UDP) or "mnemonic" (the software device).
     */
    device?: Device;
    /** The private registry every image comes from, host[:port], e.g. "127.0.0.1:5010". */
    privateRegistry?: string;
    /** Host ports a service may publish, by service name (Pulumi or docker name). */
    publishedPorts: PublishedPort[];
    /** Services allowed to reach outside directly (the gateway's Tor), by name. */
    egressAllowed: string[];
    /** Advisory policies turned off for this stack, with the reason: policy name → reason. */
    relaxed: Record<string, string>;
    /**
     * Host directories that are the project's own (the BCM home, the swarm manager's socket
     * directory): LXD disks and proxy sockets may use host paths only inside them.
     */
    hostPaths: string[];
}

export const chains = ["mainnet", "testnet", "signet", "regtest"] as const;
export type Chain = (typeof chains)[number];
export const devices = ["trezor", "emulator", "mnemonic"] as const;
export type Device = (typeof devices)[number];

export interface PublishedPort {
    service: string;
    port: number;
}

/** What a stack declares; everything but the chain may be left out. */
export type PolicySettingsInput = Partial<PolicySettings>;

/** host or host:port, a hostname, IPv4 or [IPv6] address. */
export const registryPattern = "^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?$";

/** The JSON schema of the settings: every policy declares it, so the engine validates each section. */
export const settingsSchema: PolicyConfigSchema = {
    properties: {
        chain: {
            type: "string",
            enum: [...chains],
            default: "mainnet",
            description: "The stack's Bitcoin chain; absent means mainnet (the strictest rules).",
        },
        device: {
            type: "string",
            enum: [...devices],
            description: 'Where the stack\'s secrets come from; mainnet requires "trezor".',
        },
        privateRegistry: {
            type: "string",
            pattern: registryPattern,
            description: 'The registry every image must come from, host[:port], e.g. "127.0.0.1:5010".',
        },
        publishedPorts: {
            type: "array",
            items: {
                type: "object",
                properties: {
                    service: { type: "string", minLength: 1 },
                    port: { type: "integer", minimum: 1, maximum: 65535 },
                },
                required: ["service", "port"],
                additionalProperties: false,
            },
            default: [],
            description: "Host ports a service may publish: [{ service, port }].",
        },
        egressAllowed: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: [],
            description: "Services allowed to reach outside directly (the gateway's Tor service).",
        },
        relaxed: {
            type: "object",
            additionalProperties: { type: "string", minLength: 1 },
            default: {},
            description: "Advisory policies turned off for this stack: { <policy name>: <reason> }.",
        },
        hostPaths: {
            type: "array",
            items: { type: "string", pattern: "^/.+" },
            default: [],
            description: "Host directories that are the project's own (BCM home, socket directory): the only host paths LXD disks and proxy sockets may use.",
        },
    },
};

/**
 * The settings a policy was configured with. The engine fills schema defaults in; called
 * from tests (or with a hand-written file) it does not, so the defaults are applied here
 * too, and anything malformed is dropped rather than trusted (the engine has already
 * refused a file that breaks the schema).
 */
export function readSettings(config: unknown): PolicySettings {
    const c = (typeof config === "object" && config !== null ? config : {}) as Record<string, unknown>;
    const chain = (chains as readonly unknown[]).includes(c.chain) ? (c.chain as Chain) : "mainnet";
    const device = (devices as readonly unknown[]).includes(c.device) ? (c.device as Device) : undefined;
    const privateRegistry =
        typeof c.privateRegistry === "string" && new RegExp(registryPattern).test(c.privateRegistry)
            ? c.privateRegistry
            : undefined;
    const publishedPorts = Array.isArray(c.publishedPorts)
        ? c.publishedPorts.flatMap((p: unknown): PublishedPort[] => {
              const o = p as Record<string, unknown> | null;
              return o && typeof o.service === "string" && Number.isInteger(o.port)
                  ? [{ service: o.service, port: o.port as number }]
                  : [];
          })
        : [];
    const egressAllowed = Array.isArray(c.egressAllowed)
        ? c.egressAllowed.filter((s): s is string => typeof s === "string" && s !== "")
        : [];
    const relaxed: Record<string, string> = {};
    if (typeof c.relaxed === "object" && c.relaxed !== null && !Array.isArray(c.relaxed)) {
        for (const [k, v] of Object.entries(c.relaxed as Record<string, unknown>)) {
            if (typeof v === "string" && v.trim() !== "") {
                relaxed[k] = v.trim();
            }
        }
    }
    const hostPaths = Array.isArray(c.hostPaths) ? c.hostPaths.filter((s): s is string => typeof s === "string" && /^\/.+/.test(s)) : [];
    return { chain, device, privateRegistry, publishedPorts, egressAllowed, relaxed, hostPaths };
}

/**
 * The --policy-pack-config content for a stack: the settings in every policy's section.
 * This is what the CLI writes to a file and passes with `policyPackConfigs` (Automation
 * API) or `--policy-pack-config` (pulumi CLI). It never sets an enforcement level.
 */
export function policyPackConfig(settings: PolicySettingsInput): PolicyPackConfig {
    const section: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(settings)) {
        if (v !== undefined) {
            section[k] = v;
        }
    }
    const config: PolicyPackConfig = {};
    for (const name of allPolicyNames) {
        config[name] = { ...section };
    }
    return config;
}
