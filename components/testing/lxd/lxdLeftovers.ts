import { LxdClient } from "../../lxd/client/client";
import { isLxdError } from "../../lxd/client/errors";
import { deleteImage } from "../../lxd/client/images";
import { deleteInstance } from "../../lxd/client/instances";

/** Names from a collection listing (`["/1.0/instances/a", ...]`). */
async function names(client: LxdClient, collection: string): Promise<string[]> {
    const paths = await client.get<string[]>(collection);
    return paths.map((p) => decodeURIComponent(p.split("?")[0].split("/").pop()!));
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
    try {
        await p;
    } catch (err) {
        if (!isLxdError(err, 404)) {
            throw err;
        }
    }
}

/**
 * Everything on the local daemon whose name starts with a test's prefix: instances,
 * profiles, networks, custom storage volumes, storage pools, image aliases, trust
 * certificates; images by
 * fingerprint. Used before a test (leftovers of a killed run) and after it (whatever the
 * stack's destroy did not get to), in dependency order.
 * @returns what it had to delete, so a test can assert a clean destroy left nothing.
 */
export async function removeLeftovers(prefix: string, fingerprints: string[] = []): Promise<string[]> {
    const client = new LxdClient();
    const removed: string[] = [];
    for (const name of (await names(client, "/1.0/instances")).filter((n) => n.startsWith(prefix))) {
        await deleteInstance(client, name);
        removed.push(`instance ${name}`);
    }
    const sweep = async (kind: string, collection: string, label = (name: string) => `${kind} ${name}`) => {
        for (const name of (await names(client, collection)).filter((n) => n.startsWith(prefix))) {
            await ignoreNotFound(client.run("DELETE", `${collection}/${encodeURIComponent(name)}`));
            removed.push(label(name));
        }
    };
    await sweep("profile", "/1.0/profiles");
    await sweep("network", "/1.0/networks");
    // Custom volumes in every pool (ours or not), before the pools they live in.
    for (const pool of await names(client, "/1.0/storage-pools")) {
        const volumes = `/1.0/storage-pools/${encodeURIComponent(pool)}/volumes/custom`;
        await sweep("storage volume", volumes, (name) => `storage volume ${pool}/${name}`);
    }
    await sweep("storage pool", "/1.0/storage-pools");
    await sweep("image alias", "/1.0/images/aliases");
    const certificates = await client.get<{ name: string; fingerprint: string }[]>("/1.0/certificates?recursion=1");
    for (const cert of certificates.filter((c) => c.name.startsWith(prefix))) {
        await ignoreNotFound(client.run("DELETE", `/1.0/certificates/${cert.fingerprint}`));
        removed.push(`certificate ${cert.name}`);
    }
    // Images are shared by content: one that carries someone else's alias is theirs too.
    const images = await client.get<{ fingerprint: string; aliases: { name: string }[] }[]>("/1.0/images?recursion=1");
    for (const img of images.filter((i) => fingerprints.includes(i.fingerprint))) {
        if (img.aliases.some((a) => !a.name.startsWith(prefix))) {
            continue;
        }
        await deleteImage(client, img.fingerprint);
        removed.push(`image ${img.fingerprint.slice(0, 12)}`);
    }
    return removed;
}
