import * as fs from "node:fs";
import { LxdClient } from "../client/client";
import { Endpoint } from "../client/endpoint";
import { deleteAliasIfTarget, deleteImage, getAlias, getImage, importSplitImage, setAlias, splitImageFingerprint } from "../client/images";
import { connect } from "./connection";
import { diffImage } from "./diff";
import { Props, ResourceHandler } from "./handler";
import { isUnknown } from "./rpc";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { Checker } from "./validate";

/** An image's checked inputs; `fingerprint` is computed by check from the files. */
interface ImageInputs {
    metadataPath: string;
    rootfsPath: string;
    fingerprint: string;
    aliases: string[];
    public: boolean;
    endpoint: Endpoint;
}

/**
 * lxd:index:Image: a split image (metadata tarball + rootfs tarball) imported from local
 * files, with aliases. The id is the fingerprint, computed locally in check the way LXD
 * computes it, so new file contents show as a replacement in preview and an image the
 * daemon already has is never uploaded again. An image that was there before is adopted
 * but not owned: deleting the resource removes only its aliases.
 */
export const imageHandler: ResourceHandler = {
    async check(_urn, _olds, news) {
        const c = new Checker(news);
        const hint = "a local file (images/build.sh writes them under ~/.cache/bcm/images)";
        const metadataPath = c.string("metadataPath", { required: true, hint });
        const rootfsPath = c.string("rootfsPath", { required: true, hint });
        let fingerprint: string | undefined;
        const known = (p: string | undefined): p is string => typeof p === "string" && !isUnknown(p);
        for (const [field, p] of [["metadataPath", metadataPath], ["rootfsPath", rootfsPath]] as const) {
            if (known(p) && !fs.existsSync(p)) {
                c.fail(field, `${p} does not exist; build the image first (images/build.sh) or fix the path`);
            }
        }
        if (known(metadataPath) && known(rootfsPath) && c.failures.length === 0) {
            fingerprint = await splitImageFingerprint({ metadataPath, rootfsPath });
        }
        const aliases = c.stringList("aliases", []);
        if (Array.isArray(aliases) && new Set(aliases).size !== aliases.length) {
            c.fail("aliases", "lists an alias twice");
        }
        const inputs: Props = {
            metadataPath,
            rootfsPath,
            // Unknown until the files are known: the engine then plans for any outcome.
            fingerprint: fingerprint ?? (c.failures.length === 0 ? unknownValue : ""),
            aliases,
            public: c.bool("public", false),
            endpoint: c.endpoint(),
        };
        return { inputs, failures: c.failures };
    },

    diff: diffImage,

    async create(props) {
        const inputs = props as unknown as ImageInputs;
        const client = await connect(inputs.endpoint);
        const { fingerprint, uploaded } = await importSplitImage(client, inputs, { public: inputs.public });
        if (fingerprint !== inputs.fingerprint) {
            if (uploaded) {
                await deleteImage(client, fingerprint);
            }
            throw new Error(
                `rootfsPath: ${inputs.metadataPath} and ${inputs.rootfsPath} changed between check and upload ` +
                    `(fingerprint ${fingerprint}, expected ${inputs.fingerprint}); run the update again`,
            );
        }
        try {
            await converge(client, inputs, []);
        } catch (err) {
            if (uploaded) {
                await deleteImage(client, fingerprint);
            }
            throw err;
        }
        return { id: fingerprint, outs: await readOutputs(client, inputs, uploaded) };
    },

    async read(id, props) {
        const client = await connect(props.endpoint as Endpoint | undefined);
        const live = await getImage(client, id);
        if (!live) {
            return {};
        }
        // Only the aliases this resource manages, and only while they still point here:
        // aliases added out of band are not ours, and one moved away is drift.
        const managed = (props.aliases as string[] | undefined) ?? [];
        const aliases: string[] = [];
        for (const name of managed) {
            if ((await getAlias(client, name))?.target === id) {
                aliases.push(name);
            }
        }
        return {
            id,
            props: { ...props, fingerprint: id, aliases, public: live.public, size: live.size },
        };
    },

    async update(id, olds, news) {
        const inputs = news as unknown as ImageInputs;
        const client = await connect(inputs.endpoint);
        if (!(await getImage(client, id))) {
            throw new Error(`image ${id} no longer exists on ${client.url}; run \`pulumi refresh\` and the next up imports it again`);
        }
        await converge(client, { ...inputs, fingerprint: id }, (olds.aliases as string[] | undefined) ?? []);
        return readOutputs(client, { ...inputs, fingerprint: id }, olds.uploaded === true);
    },

    async delete(id, props) {
        const client = await connect(props.endpoint as Endpoint | undefined);
        if (props.uploaded === true) {
            await deleteImage(client, id); // takes its aliases with it
            return;
        }
        for (const alias of (props.aliases as string[] | undefined) ?? []) {
            await deleteAliasIfTarget(client, alias, id);
        }
    },
};

/** Points the wanted aliases here, drops the ones no longer wanted, and sets `public`. */
async function converge(client: LxdClient, inputs: ImageInputs, previousAliases: string[]): Promise<void> {
    for (const alias of inputs.aliases) {
        await setAlias(client, alias, inputs.fingerprint);
    }
    for (const alias of previousAliases.filter((a) => !inputs.aliases.includes(a))) {
        await deleteAliasIfTarget(client, alias, inputs.fingerprint);
    }
    const live = await getImage(client, inputs.fingerprint);
    if (live && live.public !== inputs.public) {
        await client.run("PATCH", `/1.0/images/${inputs.fingerprint}`, { body: { public: inputs.public } });
    }
}

async function readOutputs(client: LxdClient, inputs: ImageInputs, uploaded: boolean): Promise<Props> {
    const live = await getImage(client, inputs.fingerprint);
    return {
        metadataPath: inputs.metadataPath,
        rootfsPath: inputs.rootfsPath,
        fingerprint: inputs.fingerprint,
        aliases: inputs.aliases,
        public: live?.public ?? inputs.public,
        size: live?.size ?? 0,
        uploaded,
        endpoint: inputs.endpoint,
    };
}
