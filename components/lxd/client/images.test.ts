import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LxdClient } from "./client";
import { FakeLxd, FakeRoute, envelope } from "../../testing/fakeLxd";
import { importSplitImage, resolveImage, setAlias, splitImageFingerprint } from "./images";

describe("split image import", () => {
    let fake: FakeLxd;
    let route: FakeRoute = () => undefined;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-image-test-"));
    const files = { metadataPath: path.join(dir, "metadata.tar.gz"), rootfsPath: path.join(dir, "rootfs.tar.gz") };
    const meta = crypto.randomBytes(300);
    const rootfs = crypto.randomBytes(70_000);
    const fingerprint = crypto.createHash("sha256").update(meta).update(rootfs).digest("hex");

    beforeAll(async () => {
        fs.writeFileSync(files.metadataPath, meta);
        fs.writeFileSync(files.rootfsPath, rootfs);
        fake = await FakeLxd.start((req) => route(req));
    });
    afterAll(async () => {
        await fake.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
        fake.requests.length = 0;
    });

    it("computes LXD's fingerprint locally: sha256 of metadata then rootfs", async () => {
        await expect(splitImageFingerprint(files)).resolves.toBe(fingerprint);
    });

    it("uploads nothing when the daemon already has the fingerprint", async () => {
        route = (r) => (r.method === "GET" && r.path === `/1.0/images/${fingerprint}` ? envelope.sync({ fingerprint }) : undefined);
        await expect(importSplitImage(new LxdClient({ url: fake.url }), files)).resolves.toEqual({ fingerprint, uploaded: false });
        expect(fake.seen()).toEqual([`GET /1.0/images/${fingerprint}`]);
    });

    it("uploads a multipart body, metadata part first, and waits for the operation", async () => {
        let uploaded = false;
        route = (r) => {
            if (r.method === "GET" && r.path === `/1.0/images/${fingerprint}`) {
                return uploaded ? envelope.sync({ fingerprint }) : envelope.error(404, "not found");
            }
            if (r.method === "POST" && r.path === "/1.0/images") {
                uploaded = true;
                return envelope.async("up1");
            }
            if (r.path.startsWith("/1.0/operations/up1/wait")) return envelope.operation("up1", 200, { fingerprint });
            return undefined;
        };
        await expect(importSplitImage(new LxdClient({ url: fake.url }), files)).resolves.toEqual({ fingerprint, uploaded: true });
        const post = fake.requests.find((r) => r.method === "POST")!;
        expect(post.headers["x-lxd-fingerprint"]).toBe(fingerprint);
        const boundary = /boundary=(.+)$/.exec(post.headers["content-type"] ?? "")![1];
        expect(Number(post.headers["content-length"])).toBe(post.body.length);
        const parts = post.body.toString("latin1").split(`--${boundary}`).slice(1, -1);
        expect(parts.map((p) => /name="([^"]+)"/.exec(p)![1])).toEqual(["metadata", "rootfs"]);
        const content = (p: string) => Buffer.from(p.slice(p.indexOf("\r\n\r\n") + 4, -2), "latin1");
        expect(content(parts[0]).equals(meta)).toBe(true);
        expect(content(parts[1]).equals(rootfs)).toBe(true);
    });

    it("resolves an alias to its target, a fingerprint prefix to the image, and nothing else", async () => {
        route = (r) => {
            if (r.path === "/1.0/images/aliases/base") return envelope.sync({ name: "base", target: fingerprint });
            if (r.path === "/1.0/images/abc123") return envelope.sync({ fingerprint });
            return envelope.error(404, "not found");
        };
        const client = new LxdClient({ url: fake.url });
        await expect(resolveImage(client, "base")).resolves.toBe(fingerprint);
        await expect(resolveImage(client, "abc123")).resolves.toBe(fingerprint);
        await expect(resolveImage(client, "no-such-alias")).resolves.toBeUndefined();
    });

    it("moves an alias that points at another image, and leaves a correct one alone", async () => {
        route = (r) => (r.method === "GET" ? envelope.sync({ name: "base", target: "old", description: "d" }) : envelope.sync({}));
        await expect(setAlias(new LxdClient({ url: fake.url }), "base", fingerprint)).resolves.toBe("old");
        expect(fake.seen()).toEqual(["GET /1.0/images/aliases/base", "PUT /1.0/images/aliases/base"]);
        fake.requests.length = 0;
        route = (r) => (r.method === "GET" ? envelope.sync({ name: "base", target: fingerprint, description: "" }) : undefined);
        await setAlias(new LxdClient({ url: fake.url }), "base", fingerprint);
        expect(fake.seen()).toEqual(["GET /1.0/images/aliases/base"]);
    });
});
