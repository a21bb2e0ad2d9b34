// The cluster program: one stack per cluster (`bcm cluster create <name>`). From the stack
// config `bcm:endpoints` (components/datacenter/spec.ts) it builds an LxdCluster of
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
import { DataCenter, deviceSecretRequests, EndpointSpec, firstDeploySettings, resolveImages, SpecError, validateImages } from "../../components/datacenter";
import { readClusterStackConfig } from "../../components/datacenter/stackConfig";
import { builtDockerImages, builtSystemImages } from "../../engine/artifacts";

/**
 * A mistake in the stack config stops the program before anything is registered, as one line:
 * a RunError is printed by the engine as its message alone, without a stack trace.
 */
function oneLine<T>(f: () => T): T {
    try {
        return f();
    } catch (e) {
        if (e instanceof SpecError || (e instanceof Error && !/\n/.test(e.message))) throw new pulumi.RunError((e as Error).message);
        throw e;
    }
}

const config = new pulumi.Config("bcm");

// Every `bcm:*` key, read and checked in one pass: an unknown key names the nearest known one.
const stackConfig = oneLine(() => readClusterStackConfig(pulumi.runtime.allConfig()));
const specs = stackConfig.endpoints;
const dataCenterSpec = stackConfig.dataCenter;
const dockerImages = dataCenterSpec ? oneLine(() => resolveImages(dataCenterSpec, stackConfig.dockerImages ?? builtDockerImages())) : undefined;
// What the device gave this deploy (the CLI sets them as secret config before every deploy);
// a missing one stops the program here, before anything is registered.
const deviceSecrets = dataCenterSpec
    ? oneLine(() =>
          Object.fromEntries(
              deviceSecretRequests(dataCenterSpec, pulumi.getStack()).map((d) => {
                  const v = config.getSecret(d.key);
                  if (v === undefined) {
                      throw new SpecError(`bcm:${d.key}: missing; it comes from the device ("${d.request.key}"): deploy with \`bcm stack deploy\` (or \`npm run up\`), or run Pulumi through \`bcm pulumi -- up\``);
                  }
                  return [d.key, v];
              }),
          ),
      )
    : {};
// Settings a first deploy fixes (the Lightning wallet's birthday) are written by the CLI; plain
// Pulumi on a stack that never had them stops here naming them.
for (const [workload, add] of Object.entries(dataCenterSpec ? firstDeploySettings(dataCenterSpec, new Date().toISOString().slice(0, 10)) : {})) {
    throw new pulumi.RunError(`bcm:${workload}.${Object.keys(add)[0]}: missing; the first deploy through bcm sets it (\`bcm stack deploy ${workload}\`, \`npm run up\` or \`bcm pulumi -- up\`), or set it yourself`);
}
// Without `bcm:images` (a stack run by hand with `bcm pulumi -- up`): the images images/build.sh has built.
const images = stackConfig.images ?? oneLine(() => validateImages(builtSystemImages()));

const clusterName = pulumi.getStack();

/** A file an endpoint names, read now; a missing one is a one-line error naming its key. */
function readNamed(i: number, key: keyof EndpointSpec, file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new SpecError(`bcm:endpoints[${i}].${key}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); fix the path`);
    }
}

/** A spec as LxdCluster takes it; key and certificate files are read here, never stored in config. */
function endpointArgs(s: EndpointSpec, i: number): LxdEndpointSpec {
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
            ...(s.sshKeyPath ? { privateKey: pulumi.secret(readNamed(i, "sshKeyPath", s.sshKeyPath)) } : {}),
            ...(s.hostKey ? { hostKey: s.hostKey } : {}),
        },
        ...(s.address ? { address: s.address } : {}),
        ...(s.httpsPort ? { httpsPort: s.httpsPort } : {}),
        ...(s.lxdDir ? { lxdDir: s.lxdDir } : {}),
        ...(s.bridge ? { bridge: s.bridge } : {}),
        clientCertificate: readNamed(i, "clientCertificatePath", s.clientCertificatePath!),
        clientKey: pulumi.secret(readNamed(i, "clientKeyPath", s.clientKeyPath!)),
    };
}

const endpointList = oneLine(() => specs.map(endpointArgs));
const cluster = new LxdCluster(clusterName, { endpoints: endpointList });

const perEndpoint = cluster.every().map((p) => {
    const spec = specs[p.index];
    const endpoint = p.endpoint.endpoint;
    const opts = { parent: p.endpoint };
    const profile = new lxd.Profile(
        `${p.name}-bcm-docker`,
        {
            name: "bcm-docker",
            description: `BCM system containers (dockerd inside): cluster ${clusterName}`,
            // The cluster's identity, as on its containers and volumes: a create that meets this
            // profile (a killed run made it and never recorded it) takes it over.
            config: { ...dockerHostProfileConfig(), ...(spec.profileConfig ?? {}), "user.bcm.cluster": clusterName },
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
          allowedHosts: oneLine(() =>
              specs.flatMap((s, i) => {
                  if (s.mode !== "ssh") return [];
                  const a = s.address ?? s.host!;
                  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(a)) throw new SpecError(`bcm:endpoints[${i}].address: give the host's IPv4 address (the gateway's firewall lets the registry answer it by address), not "${a}"`);
                  return [a];
              }),
          ),
          deviceSecrets,
          dockerSocketDir: stackConfig.dockerSocketDir ?? path.join(process.env.BCM_HOME ?? path.join(os.homedir(), ".bcm"), "sockets", clusterName),
      }).summary
    : undefined;
