// What a cluster stack deploys besides its endpoints: the tiers, the chain, the Tor network,
// the overlay encryption and each workload tier's settings (`Pulumi.<cluster>.yaml`).
// Validated in one pass, before any resource is registered, so a bad file names every wrong
// key and changes nothing.
import { Chain, chains } from "../bitcoin/chains";
import { place, PlacementRule } from "../cluster/placement";
import { TorNetworkSettings, validateTorSettings } from "../gateway/torNetwork";
import { OverlayEncryption, overlayEncryptionModes } from "../swarm/encryption";
import { unknownKeyMessage } from "./nearest";
import { SpecError } from "./spec";
import { readSnapshotSettings, SnapshotSettings } from "./snapshotSettings";
import type { Workload } from "./workload";
import { workloads as defaultWorkloads } from "./workloads";

/** The data center a cluster stack describes; undefined `tiers` means endpoints only. */
export interface DataCenterSpec {
    /** Tiers by name, each with its placement; always has "gateway" first. */
    tiers: { name: string; placement: PlacementRule }[];
    chain: Chain;
    tor: TorNetworkSettings;
    overlayEncryption: OverlayEncryption;
    /** Upstream of the Docker Hub mirror (fetched through Tor). */
    registryMirrorUpstream?: string;
    /** Each workload tier's settings (`bcm:<workload>`), by workload name, as its `readSettings` returned them. */
    settings: Record<string, unknown>;
    /** The controller's OpenPGP public key (armored, from the device: `bcm init`'s controller.asc); what the data center encrypts to its owner (channel backups). */
    controllerKey?: string;
    /** Snapshots before an update, and the rollback when it fails (`bcm:snapshots`; the CLI's deploys read it, a program of your own may leave it out). */
    snapshots?: SnapshotSettings;
}

const tierName = /^[a-z][a-z0-9]{0,15}$/;

/**
 * Tier names the data center keeps for itself: each tier gets the overlay `bcm-<tier>`, and
 * these are the gateway's own overlays and networks (`bcm-egress`, `bcm-publish`).
 */
export const reservedTierNames = ["egress", "publish"] as const;

/**
 * Reads the data-center keys through `get` (pulumi.Config#get or a test's map). Returns
 * undefined when `bcm:tiers` is absent: the stack is then a bare cluster (`bcm cluster create`).
 */
export function readDataCenterSpec(
    get: (key: string) => string | undefined,
    table: readonly Workload<any>[] = defaultWorkloads,
    /** The cluster's number of endpoints, when known: placements that cannot be met are named too. */
    endpointCount?: number,
): DataCenterSpec | undefined {
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
                if ((reservedTierNames as readonly string[]).includes(n)) {
                    problems.push(`bcm:tiers.${n}: "${n}" is reserved (the gateway's network bcm-${n}); name the tier otherwise`);
                    continue;
                }
                if (typeof v !== "object" || v === null || Array.isArray(v)) {
                    problems.push(`bcm:tiers.${n}: must be an object with optional first, min and max`);
                    continue;
                }
                const rule: PlacementRule = {};
                let ruleOk = true;
                for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
                    if (k !== "first" && k !== "min" && k !== "max") {
                        problems.push(unknownKeyMessage(`bcm:tiers.${n}.${k}`, k, ["first", "min", "max"]));
                        ruleOk = false;
                    } else if (!Number.isInteger(x) || (x as number) < 0) {
                        problems.push(`bcm:tiers.${n}.${k}: must be a whole number ≥ 0`);
                        ruleOk = false;
                    } else rule[k] = x as number;
                }
                if (ruleOk && rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
                    problems.push(`bcm:tiers.${n}.min: ${rule.min} is above max ${rule.max}; lower min or raise max`);
                } else if (ruleOk && endpointCount !== undefined) {
                    try {
                        place(n, Array.from({ length: endpointCount }, (_e, i) => i), rule);
                    } catch (e) {
                        problems.push(`bcm:tiers.${n}${rule.min !== undefined ? ".min" : ""}: ${(e as Error).message.replace(/^tier \S+:? /, "")}`);
                    }
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
    const validChain = ((chains as readonly string[]).includes(chain) ? chain : "regtest") as Chain;
    const settings = Object.fromEntries(table.map((w) => [w.name, w.readSettings(json(w.name, get(w.name)), validChain, problems)]));
    const snapshots = readSnapshotSettings(json("snapshots", get("snapshots")), problems);
    const controllerKey = get("controllerKey");
    if (controllerKey !== undefined && !/^-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n[\s\S]+-----END PGP PUBLIC KEY BLOCK-----\s*$/.test(controllerKey)) {
        problems.push(`bcm:controllerKey: is not an armored OpenPGP public key; set it to the controller's certificate (\`bcm init\` writes it to $BCM_HOME/controller.asc)`);
    }
    const needing = table.filter((w) => w.needsControllerKey && tiers.some((t) => t.name === w.name)).map((w) => w.name);
    if (controllerKey === undefined && needing.length > 0) {
        problems.push(`bcm:controllerKey: missing; the ${needing.join(" and ")} tier encrypts to the controller's OpenPGP key: run \`bcm init\` (npm run up does it for its development device) and deploy through bcm`);
    }
    if (problems.length > 0) throw new SpecError(problems.join("; "));
    return {
        tiers,
        chain: chain as Chain,
        tor: tor!,
        overlayEncryption: encryption as OverlayEncryption,
        ...(upstream ? { registryMirrorUpstream: upstream } : {}),
        settings,
        ...(controllerKey !== undefined ? { controllerKey } : {}),
        snapshots,
    };
}
