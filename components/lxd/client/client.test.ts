import { LxdClient } from "./client";
import { LxdError } from "./errors";
import { FakeLxd, FakeRoute, envelope } from "../../testing/fakeLxd";

// The client's envelope and operation handling against a fake daemon on a unix socket.
describe("LxdClient against a fake daemon", () => {
    let fake: FakeLxd;
    let route: FakeRoute = () => undefined;

    beforeAll(async () => {
        fake = await FakeLxd.start((req) => route(req));
    });
    afterAll(async () => {
        await fake.stop();
    });
    beforeEach(() => {
        fake.requests.length = 0;
    });

    const client = () => new LxdClient({ url: fake.url });

    it("returns a sync answer's metadata with the object's ETag", async () => {
        route = (r) => (r.path === "/1.0/profiles/p1" ? { ...envelope.sync({ name: "p1" }), headers: { ETag: '"abc"' } } : undefined);
        await expect(client().getWithEtag("/1.0/profiles/p1")).resolves.toEqual({ metadata: { name: "p1" }, etag: '"abc"' });
    });

    it("turns an error envelope into an LxdError naming endpoint, object and LXD's message", async () => {
        route = () => envelope.error(404, "Instance not found");
        const err = await client().get("/1.0/instances/c1").catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LxdError);
        expect(err).toMatchObject({ status: 404, endpoint: fake.url, object: "instance c1", lxdMessage: "Instance not found" });
        expect((err as Error).message).toBe(`instance c1 on ${fake.url}: Instance not found (404)`);
    });

    it("treats an HTTP error status without an envelope as an error too", async () => {
        route = () => ({ status: 502, body: "bad gateway" });
        await expect(client().get("/1.0")).rejects.toMatchObject({ status: 502, lxdMessage: "not an LXD API answer: bad gateway" });
    });

    it("waits for an async operation in /wait slices until its status code says it succeeded", async () => {
        let waits = 0;
        route = (r) => {
            if (r.method === "POST" && r.path === "/1.0/instances") {
                return envelope.async("op1");
            }
            if (r.path.startsWith("/1.0/operations/op1/wait?timeout=")) {
                waits++;
                return waits < 3 ? envelope.operation("op1", 103) : envelope.operation("op1", 200, { done: true });
            }
            return undefined;
        };
        const op = await client().run("POST", "/1.0/instances", { body: { name: "c1" }, timeoutSeconds: 10 });
        expect(op?.metadata).toEqual({ done: true });
        expect(fake.seen("/1.0/operations")).toEqual(Array(3).fill("GET /1.0/operations/op1/wait?timeout=10"));
        expect(JSON.parse(fake.requests[0].body.toString())).toEqual({ name: "c1" });
        expect(fake.requests[0].headers["content-type"]).toBe("application/json");
    });

    it("fails with the operation's own error when its status code is 400, although /wait answered 200", async () => {
        route = (r) =>
            r.method === "PUT"
                ? envelope.async("op2", {})
                : envelope.operation("op2", 400, {}, "Failed to run: forkstart: exit status 1");
        const err = await client().run("PUT", "/1.0/instances/c1/state", { body: { action: "start" } }).catch((e: unknown) => e);
        expect(err).toMatchObject({ status: 400, lxdMessage: "Failed to run: forkstart: exit status 1" });
    });

    it("reports a cancelled operation (401)", async () => {
        route = (r) => (r.method === "DELETE" ? envelope.async("op3") : envelope.operation("op3", 401, {}, "cancelled by user"));
        await expect(client().run("DELETE", "/1.0/images/ab")).rejects.toMatchObject({ status: 401, lxdMessage: "cancelled by user" });
    });

    it("gives undefined when a finished operation is already forgotten (404), so the caller re-reads", async () => {
        route = (r) => (r.method === "POST" ? envelope.async("op4") : envelope.error(404, "Operation not found"));
        await expect(client().run("POST", "/1.0/profiles")).resolves.toBeUndefined();
    });

    it("gives up when the operation is still running at the deadline", async () => {
        route = (r) => (r.method === "POST" ? envelope.async("op5") : envelope.operation("op5", 103));
        await expect(client().run("POST", "/1.0/instances", { timeoutSeconds: 1 })).rejects.toMatchObject({
            status: 0,
            lxdMessage: expect.stringMatching(/^still 103 after 1 s \(operation op5\)$/),
        });
    });

    it("sends the ETag as If-Match, and a sync PUT needs no wait", async () => {
        route = () => envelope.sync({});
        await expect(client().run("PUT", "/1.0/profiles/p1", { body: { config: {} }, etag: '"e1"' })).resolves.toBeUndefined();
        expect(fake.requests[0].headers["if-match"]).toBe('"e1"');
        expect(fake.seen()).toEqual(["PUT /1.0/profiles/p1"]);
    });

    it("insists on being trusted before anything else", async () => {
        route = () => envelope.sync({ auth: "untrusted", api_extensions: [] });
        await expect(client().connect()).rejects.toThrow(/client certificate on .*LXD does not trust it; add it .*lxc config trust add/);
        route = () => envelope.sync({ auth: "trusted", api_extensions: ["etag"] });
        await expect(client().connect()).resolves.toMatchObject({ auth: "trusted" });
    });

    it("says the daemon cannot be reached when the socket is not there", async () => {
        const gone = new LxdClient({ url: "unix:///nonexistent/unix.socket" });
        await expect(gone.connect()).rejects.toMatchObject({
            status: 0,
            endpoint: "unix:///nonexistent/unix.socket",
            lxdMessage: expect.stringMatching(/^cannot reach LXD: connect ENOENT/),
        });
    });

    it("tells exists() a missing object from a failing daemon", async () => {
        route = (r) => (r.path.endsWith("/here") ? envelope.sync({}) : r.path.endsWith("/gone") ? envelope.error(404, "nope") : envelope.error(500, "db locked"));
        await expect(client().exists("/1.0/profiles/here")).resolves.toBe(true);
        await expect(client().exists("/1.0/profiles/gone")).resolves.toBe(false);
        await expect(client().exists("/1.0/profiles/other")).rejects.toMatchObject({ status: 500 });
    });
});
