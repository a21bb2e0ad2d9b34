// A Pulumi program of your own that builds on BCM: one local LXD endpoint with BCM's
// docker-host profile and system-container image, the gateway tier (swarm, private registry,
// Tor offline) and a tier of our own, "notes" (notes.ts). Run it like any Pulumi program
// (`pulumi up`); the engine finds BCM's LXD provider plugin, pulumi-resource-lxd, as
// examples/README.md says.
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { dockerHostProfileConfig, LxdCluster } from "bcm/components/cluster";
import * as lxd from "bcm/components/lxd";
import { DataCenter, DataCenterSpec, resolveImages } from "bcm/components/datacenter";
import { builtDockerImages, builtSystemImages } from "bcm/engine";
import { notesWorkload } from "./notes";

const config = new pulumi.Config();
const stack = pulumi.getStack();

const cluster = new LxdCluster(stack, { endpoints: [{ name: "local", mode: "local" }] });
const endpoint = cluster.endpoint("local");
const profile = new lxd.Profile(`${stack}-bcm-docker`, { name: "bcm-docker", config: dockerHostProfileConfig(), endpoint: endpoint.endpoint }, { parent: endpoint });
const template = new lxd.Image(`${stack}-bcm-template`, { ...builtSystemImages()["bcm-template"], endpoint: endpoint.endpoint }, { parent: endpoint });

const spec: DataCenterSpec = {
    tiers: [
        { name: "gateway", placement: {} },
        { name: "notes", placement: {} },
    ],
    chain: "regtest",
    tor: { network: "offline" },
    overlayEncryption: "auto",
    settings: { notes: notesWorkload.readSettings({ text: config.get("text") ?? "hello from a tier of my own" }, "regtest", []) },
};
const workloads = [notesWorkload];
const dataCenter = new DataCenter(stack, {
    cluster: stack,
    lxdCluster: cluster,
    bases: [{ image: template.fingerprint, profile: profile.name }],
    spec,
    dockerImages: resolveImages(spec, builtDockerImages(), workloads),
    dockerSocketDir: path.join(process.env.BCM_HOME ?? path.join(os.homedir(), ".bcm"), "sockets", stack),
    workloads,
});

export const containers = dataCenter.summary.containers;
export const dockerHost = dataCenter.summary.dockerHost;
export const notes = dataCenter.workloads.notes;
