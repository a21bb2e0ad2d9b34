import { FakeLxd, FakeRoute, envelope } from "../../testing/fakeLxd";
import { LxdProvider } from "./provider";

const urn = "urn:pulumi:dev::bcm::lxd:index:Instance::web";
const inputs = (url: string) => ({
    name: "web",
    image: "bcm-base",
    type: "container",
    description: "",
    profiles: ["default"],
    config: {},
    devices: {},
    running: true,
    ephemeral: false,
    endpoint: { url },
});

/**
 * A daemon on which the instance can be created but not started: the routes answer as
 * LXD 5.0.2 does, and `deleteAnswer` decides whether cleaning up works.
 */
function failingStart(state: { created: boolean; deleteAnswer: () => ReturnType<FakeRoute> }): FakeRoute {
    return (r) => {
        const op = (id: string, code: number, err = "") => (r.method === "GET" ? envelope.operation(id, code, {}, err) : envelope.async(id));
        if (r.path === "/1.0") return envelope.sync({ auth: "trusted", api_extensions: [] });
        if (r.path === "/1.0/images/aliases/bcm-base") return envelope.sync({ name: "bcm-base", target: "f".repeat(64) });
        if (r.path === "/1.0/profiles/default") return envelope.sync({ name: "default" });
        if (r.path === "/1.0/operations?recursion=1") return envelope.sync({});
        if (r.path === "/1.0/instances/web") {
            if (r.method === "DELETE") return state.deleteAnswer();
            return state.created ? envelope.sync({ name: "web", status: "Stopped", config: {} }) : envelope.error(404, "Instance not found");
        }
        if (r.method === "POST" && r.path === "/1.0/instances") {
            state.created = true;
            return envelope.async("create");
        }
        if (r.path.startsWith("/1.0/operations/create")) return envelope.operation("create", 200);
        if (r.path === "/1.0/instances/web/state" && r.method === "GET") return envelope.sync({ status: "Stopped", network: null });
        if (r.path === "/1.0/instances/web/state" || r.path.startsWith("/1.0/operations/start")) {
            return op("start", 400, "Failed to start device \"eth0\"");
        }
        return undefined;
    };
}

describe("instance create: nothing untracked is left behind", () => {
    it("deletes an instance whose start failed and says so", async () => {
        const state = { created: false, deleteAnswer: () => envelope.sync({}) };
        const fake = await FakeLxd.start(failingStart(state));
        try {
            await expect(new LxdProvider().create(urn, inputs(fake.url))).rejects.toThrow(
                /^start of instance web on unix:.*: Failed to start device "eth0" \(400\); the instance was deleted again, so nothing is left behind$/,
            );
            expect(fake.seen("/1.0/instances/web").filter((s) => s.startsWith("DELETE"))).toEqual(["DELETE /1.0/instances/web"]);
        } finally {
            await fake.stop();
        }
    });

    it("hands the engine the id when even the cleanup fails, so the instance stays tracked", async () => {
        const state = { created: false, deleteAnswer: () => envelope.error(500, "database is locked") };
        const fake = await FakeLxd.start(failingStart(state));
        try {
            const err = await new LxdProvider().create(urn, inputs(fake.url)).catch((e: unknown) => e);
            expect(err).toMatchObject({
                id: "web",
                message: expect.stringMatching(/Failed to start device "eth0" \(400\); deleting the half-made instance failed too \(.*database is locked \(500\)\), so it stays in the stack's state$/),
                properties: expect.objectContaining({ name: "web", image: "bcm-base" }),
            });
        } finally {
            await fake.stop();
        }
    });

    it("never touches an instance that was there before: a name clash stops before any POST", async () => {
        const state = { created: true, deleteAnswer: () => envelope.sync({}) };
        const fake = await FakeLxd.start(failingStart(state));
        try {
            await expect(new LxdProvider().create(urn, inputs(fake.url))).rejects.toThrow(
                /^name: an instance named web already exists on unix:.*; import it \(pulumi import lxd:index:Instance <resource name> web\) or choose another name$/,
            );
            expect(fake.requests.filter((r) => r.method !== "GET")).toEqual([]);
        } finally {
            await fake.stop();
        }
    });
});

describe("instance diff: a container stopped behind Pulumi's back", () => {
    const daemon = (status: string): FakeRoute => (r) => {
        if (r.path === "/1.0") return envelope.sync({ auth: "trusted", api_extensions: [] });
        if (r.path === "/1.0/instances/web/state" && r.method === "GET") return envelope.sync({ status, network: null });
        return undefined;
    };

    it("is a change of `running` on the next up, found on the daemon without a refresh", async () => {
        for (const [status, changes] of [["Stopped", true], ["Running", false]] as const) {
            const fake = await FakeLxd.start(daemon(status));
            try {
                const recorded = { ...inputs(fake.url), running: true };
                const diff = await new LxdProvider().diff("web", urn, recorded, inputs(fake.url));
                expect({ status, changes: diff.changes, replaces: diff.replaces }).toEqual({ status, changes, replaces: [] });
            } finally {
                await fake.stop();
            }
        }
    });

    it("is not asked of the daemon when the program wants it stopped, and an unreachable daemon is no change", async () => {
        const fake = await FakeLxd.start(daemon("Stopped"));
        const url = fake.url;
        try {
            const stopped = { ...inputs(url), running: false };
            expect((await new LxdProvider().diff("web", urn, stopped, stopped)).changes).toBe(false);
            expect(fake.requests.filter((r) => r.path.endsWith("/state"))).toEqual([]);
        } finally {
            await fake.stop();
        }
        expect((await new LxdProvider().diff("web", urn, inputs(url), inputs(url))).changes).toBe(false);
    });
});
