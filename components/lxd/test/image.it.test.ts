import { LxdClient } from "../client/client";
import { ImageInfo, getAlias, getImage, splitImageFingerprint } from "../client/images";
import { TestImage, testImage } from "../../testing/lxd/testImage";
import { TestStack } from "../../testing/lxd/testStack";

// Importing a split image is idempotent: the fingerprint is computed locally, a second up
// uploads nothing, another stack adopts the image without uploading it (and leaves it
// when destroyed), and only the stack that uploaded it deletes it.
describe("lxd:index:Image through the engine", () => {
    const client = new LxdClient();
    let first: TestStack;
    let second: TestStack;
    let image: TestImage;
    let fingerprint: string;
    let imported: ImageInfo;

    const files = () => ({ metadataPath: image.otherMetadataPath, rootfsPath: image.rootfsPath });
    const copiesOf = async (fp: string) => (await client.get<string[]>("/1.0/images")).filter((p) => p.endsWith(`/${fp}`)).length;

    beforeAll(async () => {
        image = testImage();
        fingerprint = await splitImageFingerprint(files());
        const orphan = await getImage(client, fingerprint);
        if (orphan && orphan.aliases.length === 0) {
            // Only these tests import this variant; one without aliases is a killed run's leftover.
            await client.run("DELETE", `/1.0/images/${fingerprint}`);
        }
        first = await TestStack.open("m");
        second = await TestStack.open("n");
    });

    afterAll(async () => {
        await second?.dispose();
        await first?.dispose([fingerprint]);
    });

    it("imports the image under its alias, with the fingerprint computed locally", async () => {
        const up = await first.up({ images: { img: { ...files(), aliases: [`${first.prefix}-img`] } } });
        expect(up.summary.resourceChanges).toEqual({ create: 2 });
        const out = up.outputs.imageOutputs.value.img;
        expect(out).toMatchObject({ fingerprint, uploaded: true, aliases: [`${first.prefix}-img`] });
        imported = (await getImage(client, fingerprint))!;
        expect(imported.size).toBe(out.size);
        expect((await getAlias(client, `${first.prefix}-img`))?.target).toBe(fingerprint);
        expect(await copiesOf(fingerprint)).toBe(1);
    });

    it("uploads nothing on a second up", async () => {
        const up = await first.up({ images: { img: { ...files(), aliases: [`${first.prefix}-img`] } } });
        expect(up.summary.resourceChanges).toEqual({ same: 2 });
        expect((await getImage(client, fingerprint))?.uploaded_at).toBe(imported.uploaded_at);
    });

    it("adopts the image in another stack without uploading it, and leaves it in place when that stack goes", async () => {
        const up = await second.up({ images: { img: { ...files(), aliases: [`${second.prefix}-img`] } } });
        expect(up.summary.resourceChanges).toEqual({ create: 2 });
        expect(up.outputs.imageOutputs.value.img).toMatchObject({ fingerprint, uploaded: false });
        expect((await getImage(client, fingerprint))?.uploaded_at).toBe(imported.uploaded_at);
        expect(await copiesOf(fingerprint)).toBe(1);
        expect((await getAlias(client, `${second.prefix}-img`))?.target).toBe(fingerprint);

        const destroyed = await second.stack.destroy();
        expect(destroyed.summary.resourceChanges).toEqual({ delete: 2 });
        expect(await getImage(client, fingerprint)).toBeDefined();
        expect(await getAlias(client, `${second.prefix}-img`)).toBeUndefined();
        expect((await getAlias(client, `${first.prefix}-img`))?.target).toBe(fingerprint);
    });

    it("changes aliases in place", async () => {
        const up = await first.up({ images: { img: { ...files(), aliases: [`${first.prefix}-new`] } } });
        expect(up.summary.resourceChanges).toEqual({ same: 1, update: 1 });
        expect(await getAlias(client, `${first.prefix}-img`)).toBeUndefined();
        expect((await getAlias(client, `${first.prefix}-new`))?.target).toBe(fingerprint);
        expect((await getImage(client, fingerprint))?.uploaded_at).toBe(imported.uploaded_at);
    });

    it("deletes the image it uploaded on destroy", async () => {
        const destroyed = await first.stack.destroy();
        expect(destroyed.summary.resourceChanges).toEqual({ delete: 2 });
        expect(await getImage(client, fingerprint)).toBeUndefined();
        expect(await getAlias(client, `${first.prefix}-new`)).toBeUndefined();
    });
});
