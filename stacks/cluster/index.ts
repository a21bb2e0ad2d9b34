// The cluster program: one stack per cluster (`bcm cluster create <name>`). From the stack
// config `bcm:endpoints` (automation/cluster/spec.ts) it builds an LxdCluster of
// LxdEndpoints and, on every endpoint, the `bcm-docker` profile and the bcm-base and
// bcm-template images (`bcm:images`, the split images of images/build.sh).
//
// The CLI runs it from a work directory under BCM_HOME (automation/cluster/workdir.ts), so
// stack settings never land in the repository; its packages resolve from the repository's
// node_modules.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LxdCluster, LxdEndpointSpec, dockerHostProfileConfig } from "../../components/cluster";
import * as lxd from "../../components/lxd/resources";
import { DataCenter, deviceSecretRequests, EndpointSpec, firstDeploySettings, readDataCenterSpec, resolveImages, SpecError, validateEndpoints, validateImages } from "../../components/datacenter";
import { builtDockerImages, builtSystemImages } from "../../engine/artifacts";

const config = new pulumi.Config("bcm");

/** Reads and validates a JSON config key; a bad one stops the program with the key and the fix. */
function readJson<T>(key: string, validate: (raw: unknown, key: string) => T): T {
    const text = config.get(key);
    if (text === undefined) {
        throw new SpecError(`bcm:${key}: missing; set it (bcm cluster create sets it from its flags or --file)`);
    }
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch {
        throw new SpecError(`bcm:${key}: is not JSON; set it to a JSON value`);
    }
    return validate(raw, `bcm:${key}`);
}

const specs = readJson("endpoints", validateEndpoints);
// Read before anything is registered: a bad key stops the program with nothing changed.
const dataCenterSpec = readDataCenterSpec((key) => config.get(key));
const dockerImages = dataCenterSpec ? resolveImages(dataCenterSpec, builtDockerImages(config.get("dockerImages"))) : undefined;
// What the device gave this deploy (the CLI sets them as secret config before every deploy);
// a missing one stops the program here, before anything is registered.
const deviceSecrets = dataCenterSpec
    ? Object.fromEntries(
          deviceSecretRequests(dataCenterSpec, pulumi.getStack()).map((d) => {
              const v = config.getSecret(d.key);
              if (v === undefined) {
                  throw new SpecError(`bcm:${d.key}: missing; it comes from the device ("${d.request.key}"): deploy with \`bcm stack deploy\` (or \`npm run up\`), or run Pulumi through \`bcm pulumi -- up\``);
              }
              return [d.key, v];
          }),
      )
    : {};
// Settings a first deploy fixes (the Lightning wallet's birthday) are written by the CLI; plain
// Pulumi on a stack that never had them stops here naming them.
for (const [workload, add] of Object.entries(dataCenterSpec ? firstDeploySettings(dataCenterSpec, new Date().toISOString().slice(0, 10)) : {})) {
    throw new SpecError(`bcm:${workload}.${Object.keys(add)[0]}: missing; the first deploy through bcm sets it (\`bcm stack deploy ${workload}\`, \`npm run up\` or \`bcm pulumi -- up\`), or set it yourself`);
}
// Without `bcm:images` (a stack run by hand with `pulumi up -s`): the images images/build.sh has built.
const images = config.get("images") !== undefined ? readJson("images", validateImages) : validateImages(builtSystemImages());

const clusterName = pulumi.getStack();

/** A spec as LxdCluster takes it; key and certificate files are read here, never stored in config. */
function endpointArgs(s: EndpointSpec): LxdEndpointSpec {
    if (s.mode === "local") {
        return { name: s.name, mode: "local", ...(s.socketPath ? { socketPath: s.socketPath } : {}) };
    }
    return {
        name: s.name,
        mode: "ssh",
        connection: {
            host: s.host!,
            port: s.port ?? 22,
            user: s.user ?? "root",
            ...(s.sshKeyPath ? { privateKey: pulumi.secret(fs.readFileSync(s.sshKeyPath, "utf8")) } : {}),
            ...(s.hostKey ? { hostKey: s.hostKey } : {}),
        },
        ...(s.address ? { address: s.address } : {}),
        ...(s.httpsPort ? { httpsPort: s.httpsPort } : {}),
        ...(s.lxdDir ? { lxdDir: s.lxdDir } : {}),
        ...(s.bridge ? { bridge: s.bridge } : {}),
        clientCertificate: fs.readFileSync(s.clientCertificatePath!, "utf8"),
        clientKey: pulumi.secret(fs.readFileSync(s.clientKeyPath!, "utf8")),
    };
}

const cluster = new LxdCluster(clusterName, { endpoints: specs.map(endpointArgs) });

const perEndpoint = cluster.every().map((p) => {
    const spec = specs[p.index];
    const endpoint = p.endpoint.endpoint;
    const opts = { parent: p.endpoint };
    const profile = new lxd.Profile(
        `${p.name}-bcm-docker`,
        {
            name: "bcm-docker",
            description: `BCM system containers (dockerd inside): cluster ${clusterName}`,
            config: { ...dockerHostProfileConfig(), ...(spec.profileConfig ?? {}) },
            endpoint,
        },
        opts,
    );
    // No aliases: tiers use the fingerprints, and two clusters on one daemon never fight over a name.
    const imported = Object.fromEntries(
        Object.entries(images).map(([n, img]) => [n, new lxd.Image(`${p.name}-${n}`, { ...img, endpoint }, opts)]),
    );
    return { p, spec, profile, imported };
});

/** Per endpoint: how it is reached, its profile and its image fingerprints. */
export const endpoints = perEndpoint.map(({ p, spec, profile, imported }) => ({
    name: p.name,
    mode: spec.mode,
    url: p.endpoint.endpoint.url,
    serverFingerprint: p.endpoint.endpoint.serverFingerprint,
    storageDriver: p.endpoint.storageDriver,
    profile: profile.name,
    images: Object.fromEntries(Object.entries(imported).map(([n, img]) => [n, img.fingerprint])),
}));

/** The data center on it, when the stack describes tiers (`bcm:tiers`); see components/datacenter. */
export const dataCenter = dataCenterSpec
    ? new DataCenter("data-center", {
          cluster: clusterName,
          lxdCluster: cluster,
          bases: perEndpoint.map(({ profile, imported }) => ({ image: imported["bcm-template"].fingerprint, profile: profile.name })),
          spec: dataCenterSpec,
          dockerImages: dockerImages!,
          deviceSecrets,
          dockerSocketDir: config.get("dockerSocketDir") ?? path.join(process.env.BCM_HOME ?? path.join(os.homedir(), ".bcm"), "sockets", clusterName),
      }).summary
    : undefined;
