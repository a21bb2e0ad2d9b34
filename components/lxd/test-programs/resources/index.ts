import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as lxd from "../../resources";

// Every resource comes from stack config (JSON objects keyed by a short name), so one
// program serves every test: a test changes config between ups to create, update,
// replace and delete. References between resources go by those keys.

interface RemoteConfig {
    url: string;
    serverFingerprint: string;
    /** Files, not contents: the key never travels through `pulumi config set`'s command line. */
    clientCertificatePath: string;
    clientKeyPath: string;
}

interface InstanceConfig extends Omit<lxd.InstanceArgs, "image"> {
    /** A literal image alias or fingerprint ... */
    image?: string;
    /** ... or the key of an image declared here (its fingerprint is used). */
    imageKey?: string;
    /** Keys of profiles declared here, appended to `profiles`. */
    profileKeys?: string[];
}

const config = new pulumi.Config();
const remote = config.getObject<RemoteConfig>("remote");
const endpoint: lxd.EndpointArgs | undefined = remote && {
    url: remote.url,
    serverFingerprint: remote.serverFingerprint,
    clientCertificate: fs.readFileSync(remote.clientCertificatePath, "utf8"),
    clientKey: pulumi.secret(fs.readFileSync(remote.clientKeyPath, "utf8")),
};

function declared<T>(key: string): Record<string, T> {
    return config.getObject<Record<string, T>>(key) ?? {};
}

const pools = Object.entries(declared<lxd.StoragePoolArgs>("pools")).map(
    ([key, args]) => [key, new lxd.StoragePool(key, { endpoint, ...args })] as const,
);
const networks = Object.entries(declared<lxd.NetworkArgs>("networks")).map(
    ([key, args]) => [key, new lxd.Network(key, { endpoint, ...args })] as const,
);
const profiles = Object.fromEntries(
    Object.entries(declared<lxd.ProfileArgs>("profiles")).map(([key, args]) => [key, new lxd.Profile(key, { endpoint, ...args })]),
);
const images = Object.fromEntries(
    Object.entries(declared<lxd.ImageArgs>("images")).map(([key, args]) => [key, new lxd.Image(key, { endpoint, ...args })]),
);
const instances = Object.entries(declared<InstanceConfig>("instances")).map(([key, spec]) => {
    const { imageKey, profileKeys, image, ...args } = spec;
    const extraProfiles = (profileKeys ?? []).map((k) => profiles[k].name);
    return [
        key,
        new lxd.Instance(key, {
            endpoint,
            ...args,
            image: imageKey ? images[imageKey].fingerprint : image!,
            profiles: profileKeys
                ? pulumi.output(args.profiles ?? ["default"]).apply((base) => pulumi.all(extraProfiles).apply((extra) => [...base, ...extra]))
                : args.profiles,
        }),
    ] as const;
});

const pick = <T extends pulumi.Resource>(entries: (readonly [string, T])[], fields: (keyof T)[]) =>
    Object.fromEntries(entries.map(([key, r]) => [key, Object.fromEntries(fields.map((f) => [f, r[f]]))]));

export const instanceOutputs = pick(instances, ["name", "status", "ipv4Address", "config", "profiles", "devices", "running", "imageFingerprint", "location"]);
export const profileOutputs = pick(Object.entries(profiles), ["name", "config", "devices"]);
export const imageOutputs = pick(Object.entries(images), ["fingerprint", "aliases", "uploaded", "size"]);
export const networkOutputs = pick(networks, ["name", "config", "status"]);
export const poolOutputs = pick(pools, ["name", "config", "driver", "status"]);
