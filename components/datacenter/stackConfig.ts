// The cluster program's whole stack config, read in one pass before any resource is
// registered: every `bcm:*` key must be one the program knows (a misspelling names the nearest
// known key), and every value is checked. One SpecError names every wrong key with its fix.
import { DataCenterSpec, readDataCenterSpec } from "./dataCenterSpec";
import { unknownKeyMessage } from "./nearest";
import { EndpointSpec, ImageSpec, imageNames, SpecError, validateEndpoints, validateImages } from "./spec";
import type { Workload } from "./workload";
import { workloads as defaultWorkloads } from "./workloads";

/** The program's own keys (besides each workload tier's `bcm:<workload>`). */
export const stackKeys = ["endpoints", "images", "tiers", "chain", "tor", "overlayEncryption", "registryMirrorUpstream", "dockerImages", "dockerSocketDir", "controllerKey", "snapshots"] as const;

/**
 * The keys of the values the device gives a deploy (`bcm:<key>`, secret), of every workload
 * whether deployed or not: a tier removed leaves its value in the config, which must not stop
 * the next deploy.
 */
export function deviceSecretKeys(table: readonly Workload<any>[] = defaultWorkloads): string[] {
    return table.flatMap((w) => (w.deviceSecrets ? w.deviceSecrets(w.readSettings(undefined, "regtest", []), "cluster", "regtest").map((d) => d.key) : []));
}

/** Every key the program reads, without the `bcm:` prefix. */
export function knownStackKeys(table: readonly Workload<any>[] = defaultWorkloads): string[] {
    return [...stackKeys, ...table.map((w) => w.name), ...deviceSecretKeys(table)];
}

/** A Docker image reference as images/docker/build.sh prints them: `name[:tag]` or `name@sha256:…`, optionally with a registry. */
const imageReference = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$/;

/** `bcm:dockerImages`: image name → local tag (images/docker/build.sh's output). */
export function validateDockerImages(raw: unknown, problems: string[], key = "bcm:dockerImages"): Record<string, string> | undefined {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        problems.push(`${key}: must be an object of image name → local tag, e.g. {"tor":"bcm/tor:1a2b3c"}; leave it out to use what images/docker/build.sh built`);
        return undefined;
    }
    const out: Record<string, string> = {};
    for (const [n, v] of Object.entries(raw as Record<string, unknown>)) {
        if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(n)) problems.push(`${key}.${n}: an image name is lower-case letters, digits and '-'`);
        else if (typeof v !== "string" || !imageReference.test(v)) problems.push(`${key}.${n}: ${JSON.stringify(v)} is not an image reference like "bcm/${n}:<tag>"`);
        else out[n] = v;
    }
    return out;
}

/** The longest unix socket path (sun_path holds 108 bytes with its NUL). */
const maxSocketPath = 107;

/** `bcm:dockerSocketDir`: an absolute directory whose socket path fits a unix socket. */
export function validateDockerSocketDir(dir: string, problems: string[], key = "bcm:dockerSocketDir"): string | undefined {
    if (!/^\/[^\s'"\\$`;&|<>*?]*$/.test(dir) || dir.split("/").includes("..")) {
        problems.push(`${key}: "${dir}" must be an absolute path without spaces, quotes, '..' or shell characters`);
        return undefined;
    }
    const socket = `${dir.replace(/\/+$/, "")}/bcm-gateway-01.sock`;
    if (Buffer.byteLength(socket) > maxSocketPath) {
        problems.push(`${key}: "${dir}" is too long for a unix socket (${socket} is ${Buffer.byteLength(socket)} bytes, at most ${maxSocketPath}); choose a shorter directory`);
        return undefined;
    }
    return dir;
}

/** What the program deploys, read from its config. */
export interface ClusterStackConfig {
    endpoints: EndpointSpec[];
    /** `bcm:images` when set (otherwise the built images are used). */
    images?: Record<(typeof imageNames)[number], ImageSpec>;
    /** The data center, when `bcm:tiers` is set. */
    dataCenter?: DataCenterSpec;
    /** `bcm:dockerImages` when set. */
    dockerImages?: Record<string, string>;
    /** `bcm:dockerSocketDir` when set. */
    dockerSocketDir?: string;
}

/**
 * Reads the whole config (`all`: full keys such as `bcm:chain` → value, as
 * pulumi.runtime.allConfig() gives them). Throws one SpecError naming every wrong key.
 */
export function readClusterStackConfig(all: Record<string, string>, table: readonly Workload<any>[] = defaultWorkloads): ClusterStackConfig {
    const problems: string[] = [];
    const known = knownStackKeys(table);
    for (const full of Object.keys(all).sort()) {
        if (!full.startsWith("bcm:")) continue;
        const k = full.slice(4);
        if (!known.includes(k)) problems.push(unknownKeyMessage(full, k, known).replace(/did you mean (\S+)\?/, "did you mean bcm:$1?"));
    }
    const get = (k: string): string | undefined => all[`bcm:${k}`];
    const json = (k: string): unknown => {
        const text = get(k);
        if (text === undefined) return undefined;
        try {
            return JSON.parse(text);
        } catch {
            problems.push(`bcm:${k}: is not JSON; set it to a JSON value`);
            return null;
        }
    };
    const collect = <T>(f: () => T): T | undefined => {
        try {
            return f();
        } catch (e) {
            if (!(e instanceof SpecError)) throw e;
            problems.push(e.message);
            return undefined;
        }
    };
    let endpoints: EndpointSpec[] | undefined;
    const rawEndpoints = json("endpoints");
    if (rawEndpoints === undefined) problems.push("bcm:endpoints: missing; set it (bcm cluster create sets it from its flags or --file)");
    else if (rawEndpoints !== null) endpoints = collect(() => validateEndpoints(rawEndpoints, "bcm:endpoints"));
    const rawImages = json("images");
    const images = rawImages === undefined || rawImages === null ? undefined : collect(() => validateImages(rawImages, "bcm:images"));
    const dataCenter = collect(() => readDataCenterSpec(get, table, endpoints?.length));
    const rawDockerImages = json("dockerImages");
    const dockerImages = rawDockerImages === undefined || rawDockerImages === null ? undefined : validateDockerImages(rawDockerImages, problems);
    const socketDir = get("dockerSocketDir");
    const dockerSocketDir = socketDir === undefined ? undefined : validateDockerSocketDir(socketDir, problems);
    if (problems.length > 0) throw new SpecError(problems.join("; "));
    return {
        endpoints: endpoints!,
        ...(images ? { images } : {}),
        ...(dataCenter ? { dataCenter } : {}),
        ...(dockerImages ? { dockerImages } : {}),
        ...(dockerSocketDir ? { dockerSocketDir } : {}),
    };
}
