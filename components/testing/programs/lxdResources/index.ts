import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as lxd from "../../../lxd/resources";

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
    /** Disk devices of volumes declared here, by device name (added to `devices`). */
    volumeDevices?: Record<string, { volumeKey: string; path: string }>;
}

interface ExecConfig extends Omit<lxd.ExecArgs, "instance" | "environment"> {
    /** A literal instance name ... */
    instance?: string;
    /** ... or the key of an instance declared here (its name output is used). */
    instanceKey?: string;
    environment?: Record<string, string>;
    /** Environment values the program passes as secrets. */
    secretEnvironment?: Record<string, string>;
    /** Standard input the program passes as a secret. */
    secretStdin?: string;
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
const volumes = Object.fromEntries(
    Object.entries(declared<lxd.StorageVolumeArgs>("volumes")).map(([key, args]) => [key, new lxd.StorageVolume(key, { endpoint, ...args })]),
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
    const { imageKey, profileKeys, image, volumeDevices, ...args } = spec;
    const extraProfiles = (profileKeys ?? []).map((k) => profiles[k].name);
    // The volume's outputs in the device: the instance waits for the volume and goes first on delete.
    const volumeDisks = Object.fromEntries(
        Object.entries(volumeDevices ?? {}).map(([device, d]) => [
            device,
            { type: "disk", pool: volumes[d.volumeKey].pool, source: volumes[d.volumeKey].name, path: d.path },
        ]),
    );
    return [
        key,
        new lxd.Instance(key, {
            endpoint,
            ...args,
            image: imageKey ? images[imageKey].fingerprint : image!,
            devices: volumeDevices ? { ...((args.devices ?? {}) as Record<string, Record<string, string>>), ...volumeDisks } : args.devices,
            profiles: profileKeys
                ? pulumi.output(args.profiles ?? ["default"]).apply((base) => pulumi.all(extraProfiles).apply((extra) => [...base, ...extra]))
                : args.profiles,
        }),
    ] as const;
});

const instanceByKey = Object.fromEntries(instances);
const execs = Object.entries(declared<ExecConfig>("execs")).map(([key, spec]) => {
    const { instanceKey, instance, environment, secretEnvironment, secretStdin, ...args } = spec;
    const secrets = Object.fromEntries(Object.entries(secretEnvironment ?? {}).map(([k, v]) => [k, pulumi.secret(v)]));
    return [
        key,
        new lxd.Exec(key, {
            endpoint,
            ...args,
            instance: instanceKey ? instanceByKey[instanceKey].name : instance!,
            environment: { ...(environment ?? {}), ...secrets },
            ...(secretStdin !== undefined ? { stdin: pulumi.secret(secretStdin) } : {}),
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
export const volumeOutputs = pick(Object.entries(volumes), ["name", "pool", "contentType", "config", "usedBy"]);
export const execOutputs = pick(execs, ["stdout", "stderr", "instance"]);
