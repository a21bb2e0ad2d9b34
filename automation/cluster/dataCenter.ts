// What a cluster stack deploys besides its endpoints: the tiers, the chain, the Tor network
// and the overlay encryption (`Pulumi.<cluster>.yaml`). Validated in one pass, before any
// resource is registered, so a bad file names every wrong key and changes nothing.
import { PlacementRule } from "../../components/cluster/placement";
import { TorNetworkSettings, validateTorSettings } from "../../components/gateway/torNetwork";
import { OverlayEncryption, overlayEncryptionModes } from "../../components/swarm/encryption";
import { gatewayPorts } from "../../components/gateway/ports";
import { PolicySettingsInput } from "../../policy/settings";
import { KafkaTopicSpec, validateTopics } from "../../components/kafka/layout";
import { SpecError } from "./spec";

export const chains = ["regtest", "signet", "testnet", "mainnet"] as const;
export type Chain = (typeof chains)[number];

/** The data center a cluster stack describes; undefined `tiers` means endpoints only. */
export interface DataCenterSpec {
    /** Tiers by name, each with its placement; always has "gateway" first. */
    tiers: { name: string; placement: PlacementRule }[];
    chain: Chain;
    tor: TorNetworkSettings;
    overlayEncryption: OverlayEncryption;
    /** Upstream of the Docker Hub mirror (fetched through Tor). */
    registryMirrorUpstream?: string;
    /** The bitcoin tier's node (`bcm:bitcoin`). */
    bitcoin: BitcoinSettings;
    /** The kafka tier's topics and heap (`bcm:kafka`). */
    kafka: KafkaSettings;
}

export interface BitcoinSettings {
    /** The full node: "btcd" (default; built from the Go module proxy) or "bitcoind" (an image built from a verified release). */
    implementation: "btcd" | "bitcoind";
    /** bitcoind: the local image images/bitcoind/build.sh made, `bcm/bitcoind:<version>-<hash>`. */
    image?: string;
    /** Keep the chain volume when the stack is destroyed (default: on every chain but regtest, whose chain is a throw-away and which btcd wipes at each start anyway; a real chain takes days to download again). */
    keepChainData: boolean;
}

export interface KafkaSettings {
    topics: KafkaTopicSpec[];
    /** JVM heap of each broker and Connect worker, MiB (default 512). */
    heapMiB?: number;
}

/** Reads `bcm:bitcoin`: {"implementation":"btcd"|"bitcoind","image":…,"keepChainData":true}. */
function readBitcoin(raw: unknown, chain: string, problems: string[]): BitcoinSettings {
    const settings: BitcoinSettings = { implementation: "btcd", keepChainData: chain !== "regtest" };
    if (raw === undefined || raw === null) return settings;
    if (typeof raw !== "object" || Array.isArray(raw)) {
        problems.push(`bcm:bitcoin: must be an object, e.g. {"implementation":"btcd","keepChainData":true}`);
        return settings;
    }
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (k === "implementation") {
            if (v === "btcd" || v === "bitcoind") settings.implementation = v;
            else problems.push(`bcm:bitcoin.implementation: ${JSON.stringify(v)} is not "btcd" or "bitcoind"`);
        } else if (k === "image") {
            if (typeof v === "string" && /^bcm\/bitcoind:[A-Za-z0-9._-]+$/.test(v)) settings.image = v;
            else problems.push(`bcm:bitcoin.image: ${JSON.stringify(v)} is not a bcm/bitcoind:<tag> image; build one from a verified release with images/bitcoind/build.sh`);
        } else if (k === "keepChainData") {
            if (typeof v === "boolean") settings.keepChainData = v;
            else problems.push(`bcm:bitcoin.keepChainData: must be true or false`);
        } else {
            problems.push(`bcm:bitcoin.${k}: unknown key; use implementation, image or keepChainData`);
        }
    }
    if (settings.implementation === "bitcoind" && !settings.image) {
        problems.push(`bcm:bitcoin.image: bitcoind needs its image: build it from a verified Bitcoin Core release with images/bitcoind/build.sh and set the tag it prints`);
    }
    return settings;
}

/** Reads `bcm:kafka`: {"topics":[{"name":…,"partitions":…}],"heapMiB":512}. Replication is checked against the brokers at deploy. */
function readKafka(raw: unknown, problems: string[]): KafkaSettings {
    const settings: KafkaSettings = { topics: [] };
    if (raw === undefined || raw === null) return settings;
    if (typeof raw !== "object" || Array.isArray(raw)) {
        problems.push(`bcm:kafka: must be an object, e.g. {"topics":[{"name":"blocks"}]}`);
        return settings;
    }
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (k === "topics") {
            try {
                settings.topics = validateTopics(v, Number.MAX_SAFE_INTEGER, "bcm:kafka.topics").map((t, i) => {
                    const given = (v as Record<string, unknown>[])[i];
                    return { name: t.name, partitions: t.partitions, ...(given.replicationFactor !== undefined ? { replicationFactor: t.replicationFactor } : {}) };
                });
            } catch (e) {
                problems.push((e as Error).message);
            }
        } else if (k === "heapMiB") {
            if (Number.isInteger(v) && (v as number) >= 128) settings.heapMiB = v as number;
            else problems.push(`bcm:kafka.heapMiB: ${JSON.stringify(v)} must be a whole number of MiB, at least 128`);
        } else {
            problems.push(`bcm:kafka.${k}: unknown key; use topics or heapMiB`);
        }
    }
    return settings;
}

const tierName = /^[a-z][a-z0-9]{0,15}$/;

/**
 * Reads the data-center keys through `get` (pulumi.Config#get or a test's map). Returns
 * undefined when `bcm:tiers` is absent: the stack is then a bare cluster (`bcm cluster create`).
 */
export function readDataCenterSpec(get: (key: string) => string | undefined): DataCenterSpec | undefined {
    const tiersText = get("tiers");
    if (tiersText === undefined) return undefined;
    const problems: string[] = [];
    const json = (key: string, text: string | undefined): unknown => {
        if (text === undefined) return undefined;
        try {
            return JSON.parse(text);
        } catch {
            problems.push(`bcm:${key}: is not JSON; write it as a JSON value`);
            return null;
        }
    };
    const tiers: DataCenterSpec["tiers"] = [];
    const rawTiers = json("tiers", tiersText);
    if (rawTiers !== null) {
        if (typeof rawTiers !== "object" || Array.isArray(rawTiers)) {
            problems.push(`bcm:tiers: must be an object of tier name → placement, e.g. {"gateway":{}}`);
        } else {
            const entries = Object.entries(rawTiers as Record<string, unknown>);
            if (!entries.some(([n]) => n === "gateway")) problems.push(`bcm:tiers: has no "gateway"; every data center needs its gateway tier: add "gateway": {}`);
            for (const [n, v] of entries) {
                if (!tierName.test(n)) {
                    problems.push(`bcm:tiers.${n}: a tier name is 1-16 lower-case letters and digits, starting with a letter`);
                    continue;
                }
                if (typeof v !== "object" || v === null || Array.isArray(v)) {
                    problems.push(`bcm:tiers.${n}: must be an object with optional first, min and max`);
                    continue;
                }
                const rule: PlacementRule = {};
                for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
                    if (k !== "first" && k !== "min" && k !== "max") problems.push(`bcm:tiers.${n}.${k}: unknown key; use first, min or max`);
                    else if (!Number.isInteger(x) || (x as number) < 0) problems.push(`bcm:tiers.${n}.${k}: must be a whole number ≥ 0`);
                    else rule[k] = x as number;
                }
                tiers.push({ name: n, placement: rule });
            }
            tiers.sort((a, b) => (a.name === "gateway" ? -1 : b.name === "gateway" ? 1 : 0));
        }
    }
    const chain = get("chain") ?? "regtest";
    if (!(chains as readonly string[]).includes(chain)) problems.push(`bcm:chain: "${chain}" is not one of ${chains.join(", ")}`);
    let tor: TorNetworkSettings | undefined;
    const rawTor = json("tor", get("tor"));
    if (rawTor === undefined) {
        problems.push(`bcm:tor: missing; say which Tor network the gateway joins: {"network":"public"} (the real one), {"network":"offline"} or {"network":"private","dirAuthorities":[...]}`);
    } else if (rawTor !== null) {
        try {
            tor = validateTorSettings(rawTor);
        } catch (e) {
            problems.push((e as Error).message);
        }
    }
    const encryption = get("overlayEncryption") ?? "auto";
    if (!(overlayEncryptionModes as readonly string[]).includes(encryption)) {
        problems.push(`bcm:overlayEncryption: "${encryption}" is not one of ${overlayEncryptionModes.join(", ")}`);
    }
    const upstream = get("registryMirrorUpstream");
    if (upstream !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(upstream)) {
        problems.push(`bcm:registryMirrorUpstream: "${upstream}" is not an http(s) URL`);
    }
    const bitcoin = readBitcoin(json("bitcoin", get("bitcoin")), chain, problems);
    const kafka = readKafka(json("kafka", get("kafka")), problems);
    if (problems.length > 0) throw new SpecError(problems.join("; "));
    return {
        tiers,
        chain: chain as Chain,
        tor: tor!,
        overlayEncryption: encryption as OverlayEncryption,
        ...(upstream ? { registryMirrorUpstream: upstream } : {}),
        bitcoin,
        kafka,
    };
}

/**
 * What the policy pack must know about a data center: the private registry, the host ports
 * the gateway publishes, and the gateway services allowed a way out (Tor itself, and the two
 * registries, whose host ports need a non-internal network; the mirror fetches through Tor).
 */
export function dataCenterPolicySettings(spec: DataCenterSpec, device?: "trezor" | "mnemonic"): PolicySettingsInput {
    const mirror = spec.tor.network !== "offline";
    return {
        chain: spec.chain,
        ...(device ? { device } : {}),
        privateRegistry: `127.0.0.1:${gatewayPorts.registry}`,
        publishedPorts: [
            { service: "registry", port: gatewayPorts.registry },
            { service: "tor", port: gatewayPorts.socks },
            { service: "tor", port: gatewayPorts.dns },
            ...(mirror ? [{ service: "registry-mirror", port: gatewayPorts.mirror }] : []),
        ],
        egressAllowed: ["tor", "registry", ...(mirror ? ["registry-mirror"] : [])],
    };
}
