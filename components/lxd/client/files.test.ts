import { LxdClient } from "./client";
import { FakeLxd, envelope } from "../../testing/fakeLxd";
import { octalMode, pullFile, pushFile } from "./files";

describe("file push and pull", () => {
    let fake: FakeLxd;
    const existing = new Set(["/etc"]);
    beforeAll(async () => {
        fake = await FakeLxd.start((r) => {
            const file = decodeURIComponent(r.path.split("?path=")[1] ?? "");
            if (r.method === "HEAD") return existing.has(file) ? { body: "" } : { status: 404, body: "" };
            if (r.method === "POST") return envelope.sync({});
            if (r.method === "GET") {
                return { body: "hello", headers: { "X-LXD-uid": "1000", "X-LXD-gid": "1001", "X-LXD-mode": "0640", "X-LXD-type": "file" } };
            }
            return undefined;
        });
    });
    afterAll(() => fake.stop());

    it("sends the mode in octal with a leading zero (LXD detects the base from it)", () => {
        expect(octalMode(0o644)).toBe("0644");
        expect(octalMode(0o4755)).toBe("04755");
        expect(octalMode(0o7)).toBe("0007");
    });

    it("creates missing parents one level at a time, then writes the file with owner and mode", async () => {
        await pushFile(new LxdClient({ url: fake.url }), "c1", "/etc/bcm/tor/torrc", "SocksPort 9050\n", { uid: 101, gid: 102, mode: 0o600 });
        const writes = fake.requests.filter((r) => r.method === "POST");
        expect(writes.map((w) => [decodeURIComponent(w.path.split("?path=")[1]), w.headers["x-lxd-type"], w.headers["x-lxd-mode"]])).toEqual([
            ["/etc/bcm", "directory", "0755"],
            ["/etc/bcm/tor", "directory", "0755"],
            ["/etc/bcm/tor/torrc", "file", "0600"],
        ]);
        const file = writes[2];
        expect(file.headers).toMatchObject({ "x-lxd-uid": "101", "x-lxd-gid": "102", "x-lxd-write": "overwrite" });
        expect(file.body.toString()).toBe("SocksPort 9050\n");
        expect(file.path).toBe("/1.0/instances/c1/files?path=%2Fetc%2Fbcm%2Ftor%2Ftorrc");
    });

    it("refuses a relative path instead of letting LXD guess", async () => {
        await expect(pushFile(new LxdClient({ url: fake.url }), "c1", "etc/x", "")).rejects.toThrow(/must be absolute/);
    });

    it("reads a file with its owner and mode", async () => {
        await expect(pullFile(new LxdClient({ url: fake.url }), "c1", "/etc/hostname")).resolves.toEqual({
            content: Buffer.from("hello"),
            uid: 1000,
            gid: 1001,
            mode: 0o640,
            type: "file",
        });
    });
});
