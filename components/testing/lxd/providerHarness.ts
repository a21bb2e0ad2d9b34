import { LxdClient } from "../../lxd/client/client";
import { splitImageFingerprint } from "../../lxd/client/images";
import { Props } from "../../lxd/provider/handler";
import { LxdProvider } from "../../lxd/provider/provider";
import { removeLeftovers } from "./lxdLeftovers";
import { testImage } from "./testImage";

/**
 * The LXD provider driven directly on the real daemon, as the engine drives it, for one
 * test file whose objects are all named `<prefix>…`: `setUp` (in beforeAll) imports the
 * test image, `tearDown` (in afterAll, after the file's own objects) deletes it again if
 * it was not there before, and whatever else carries the prefix.
 */
export function providerHarness(prefix: string) {
    const client = new LxdClient();
    const provider = new LxdProvider();
    let fingerprint = "";
    let imageWasThere = false;
    const urn = (type: string, name: string) => `urn:pulumi:${prefix}::bcm::lxd:index:${type}::${name}`;
    return {
        client,
        provider,
        urn,
        /** The test image's fingerprint, once set up. */
        fingerprint: () => fingerprint,
        /** Checked inputs, as the engine hands them to create; a check failure throws. */
        async checked(type: string, news: Props): Promise<Props> {
            const r = await provider.check(urn(type, "x"), {}, news);
            if ((r.failures ?? []).length > 0) throw new Error(JSON.stringify(r.failures));
            return r.inputs;
        },
        async setUp(): Promise<void> {
            await removeLeftovers(prefix);
            const image = testImage();
            fingerprint = await splitImageFingerprint(image);
            imageWasThere = await client.exists(`/1.0/images/${fingerprint}`);
            await provider.create(urn("Image", "img"), await this.checked("Image", { metadataPath: image.metadataPath, rootfsPath: image.rootfsPath }));
        },
        async tearDown(): Promise<void> {
            if (fingerprint && !imageWasThere) await client.run("DELETE", `/1.0/images/${fingerprint}`).catch(() => undefined);
            await removeLeftovers(prefix).catch(() => undefined);
            client.close();
        },
    };
}
