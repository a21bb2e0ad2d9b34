import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as lxd from "../../../lxd/resources";
import { LxdCluster } from "../../../cluster/lxdCluster";
import { dockerHostProfileConfig } from "../../../cluster/profiles";

// A two-endpoint cluster from stack config: the controller's own daemon (mode local) and a
// second host bootstrapped over SSH (mode ssh), then reached over HTTPS. On each endpoint:
// the image, a bridge, a profile using it, and one system container (named by placement).
// Keys and certificates come from files, so they never pass through `pulumi config set`.

interface SecondConfig {
    host: string;
    port: number;
    hostKey: string;
    privateKeyPath: string;
    lxdDir: string;
    bridgeIpv4: string;
    clientCertificatePath: string;
    clientKeyPath: string;
    trustName: string;
}

const config = new pulumi.Config();
/** Every LXD object name starts with it, so a test can sweep up after a failure. */
const prefix = config.require("prefix");
const image = config.requireObject<{ metadataPath: string; rootfsPath: string }>("image");
const second = config.requireObject<SecondConfig>("second");
/** The test bridges' subnets, one per endpoint, in cluster order. */
const subnets = config.requireObject<string[]>("subnets");

const cluster = new LxdCluster(prefix, {
    endpoints: [
        { name: "local", mode: "local" },
        {
            name: "second",
            mode: "ssh",
            connection: {
                host: second.host,
                port: second.port,
                user: "root",
                privateKey: pulumi.secret(fs.readFileSync(second.privateKeyPath, "utf8")),
                hostKey: second.hostKey,
            },
            lxdDir: second.lxdDir,
            clientCertificate: fs.readFileSync(second.clientCertificatePath, "utf8"),
            clientKey: pulumi.secret(fs.readFileSync(second.clientKeyPath, "utf8")),
            trustName: second.trustName,
            storageDriver: "auto",
            bridge: { name: "lxdbr0", ipv4Address: second.bridgeIpv4, ipv4Nat: false },
        },
    ],
});

const placed = cluster.select("test");
const perEndpoint = placed.map((p) => {
    const endpoint = p.endpoint.endpoint;
    const opts = { parent: p.endpoint };
    const base = new lxd.Image(`${p.name}-image`, { ...image, aliases: [`${prefix}-base`], endpoint }, opts);
    const bridge = new lxd.Network(
        `${p.name}-network`,
        { name: `${prefix}n${p.index}`, config: { "ipv4.address": subnets[p.index], "ipv4.nat": "false", "ipv6.address": "none" }, endpoint },
        opts,
    );
    const profile = new lxd.Profile(
        `${p.name}-profile`,
        {
            name: `${prefix}-p`,
            // The profile every BCM system container gets: unprivileged, nesting for dockerd, limits.
            config: { ...dockerHostProfileConfig({ cpu: "1", memory: "512MiB" }), "user.bcm-endpoint": p.name },
            devices: {
                eth0: { type: "nic", name: "eth0", network: bridge.name },
                root: { type: "disk", path: "/", pool: "default" },
            },
            endpoint,
        },
        opts,
    );
    const instance = new lxd.Instance(
        `${p.name}-instance`,
        {
            name: `${prefix}-${p.containerName}`,
            image: base.fingerprint,
            profiles: [profile.name],
            waitForAddress: { interface: "eth0", timeoutSeconds: 180 },
            endpoint,
        },
        opts,
    );
    return { p, base, bridge, profile, instance };
});

export const endpoints = Object.fromEntries(
    perEndpoint.map(({ p, base, bridge, instance }) => [
        p.name,
        {
            url: p.endpoint.endpoint.url,
            serverFingerprint: p.endpoint.endpoint.serverFingerprint,
            storageDriver: p.endpoint.storageDriver,
            image: base.fingerprint,
            uploaded: base.uploaded,
            network: bridge.name,
            instance: instance.name,
            status: instance.status,
            ipv4Address: instance.ipv4Address,
        },
    ]),
);
