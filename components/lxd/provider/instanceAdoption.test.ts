import { FakeLxd, FakeRoute, envelope } from "../../testing/fakeLxd";
import { Operation } from "../client/envelope";
import { adoptionPlan, pendingInstanceOperations } from "./instanceAdoption";
import { LxdProvider } from "./provider";

const fp = "f".repeat(64);
const other = "a".repeat(64);

describe("adopting an instance of this cluster: converge or make again", () => {
    const live = { type: "container" as const, ephemeral: false, config: { "volatile.base_image": fp } };
    const wanted = { type: "container", ephemeral: false };
    it("converges one made from the same image, of the same type and ephemerality", () => {
        expect(adoptionPlan(live, fp, wanted)).toEqual({ action: "converge" });
        // A create LXD has not written the base image of yet is still the same create.
        expect(adoptionPlan({ ...live, config: {} }, fp, wanted)).toEqual({ action: "converge" });
    });
    it("replaces one that no PUT can bring there, saying why", () => {
        expect(adoptionPlan({ ...live, config: { "volatile.base_image": other } }, fp, wanted)).toEqual({ action: "replace", why: "it was made from image aaaaaaaaaaaa, not ffffffffffff" });
        expect(adoptionPlan({ ...live, type: "virtual-machine" as never }, fp, wanted)).toMatchObject({ action: "replace", why: "it is a virtual-machine, not a container" });
        expect(adoptionPlan({ ...live, ephemeral: true }, fp, wanted)).toMatchObject({ action: "replace" });
    });
});

describe("the LXD operations an adoption waits for", () => {
    const op = (id: string, status_code: number, instances: string[], description = "Creating instance"): Operation => ({
        id,
        class: "task",
        status: "Running",
        status_code,
        err: "",
        metadata: {},
        description,
        resources: { instances, containers: instances },
    });
    it("are the ones still going on that instance, not finished ones, others' or commands run in it", () => {
        const ops = {
            running: [
                op("create", 103, ["/1.0/instances/web"]),
                op("start", 103, ["/1.0/instances/web?project=default"], "Starting instance"),
                op("shell", 103, ["/1.0/instances/web"], "Executing command"),
                op("other", 103, ["/1.0/instances/web2"]),
            ],
            success: [op("old", 200, ["/1.0/instances/web"])],
            failure: null,
        };
        expect(pendingInstanceOperations(ops, "web").map((o) => o.id)).toEqual(["create", "start"]);
        expect(pendingInstanceOperations({}, "web")).toEqual([]);
    });
});

const urn = "urn:pulumi:dev::bcm::lxd:index:Instance::web";
const inputs = (url: string, cluster = "c1") => ({
    name: "web",
    image: "bcm-base",
    type: "container",
    description: "",
    profiles: ["default"],
    config: { "user.bcm.cluster": cluster },
    devices: {},
    running: true,
    ephemeral: false,
    endpoint: { url },
});

/**
 * A daemon on which a killed run's create of "web" is still going: the instance is there
 * (stopped), its create operation runs until waited for; PUT, start and delete work.
 */
function halfMade(live: { config: Record<string, string>; status: string; exists: boolean }): FakeRoute {
    let createDone = false;
    return (r) => {
        if (r.path === "/1.0") return envelope.sync({ auth: "trusted", api_extensions: [] });
        if (r.path === "/1.0/images/aliases/bcm-base") return envelope.sync({ name: "bcm-base", target: fp });
        if (r.path === "/1.0/profiles/default") return envelope.sync({ name: "default" });
        if (r.path === "/1.0/operations?recursion=1") {
            const create = { id: "create", class: "task", description: "Creating instance", status: "Running", status_code: 103, err: "", metadata: {}, resources: { instances: ["/1.0/instances/web"] } };
            return envelope.sync(createDone ? {} : { running: [create] });
        }
        if (r.path.startsWith("/1.0/operations/create/wait")) {
            createDone = true;
            return envelope.operation("create", 200);
        }
        if (r.path === "/1.0/instances/web") {
            if (!live.exists) return envelope.error(404, "Instance not found");
            if (r.method === "PUT") {
                live.config = JSON.parse(r.body.toString()).config;
                return envelope.sync({});
            }
            if (r.method === "DELETE") {
                live.exists = false;
                return envelope.sync({});
            }
            return envelope.sync({ name: "web", type: "container", status: live.status, ephemeral: false, profiles: ["default"], description: "", config: live.config, devices: {}, architecture: "x86_64" });
        }
        if (r.method === "POST" && r.path === "/1.0/instances") {
            live.exists = true;
            live.config = { ...JSON.parse(r.body.toString()).config, "volatile.base_image": fp };
            return envelope.async("post");
        }
        if (r.path === "/1.0/instances/web/state" && r.method === "GET") return envelope.sync({ status: live.status, network: null });
        if (r.path === "/1.0/instances/web/state" && r.method === "PUT") {
            live.status = JSON.parse(r.body.toString()).action === "start" ? "Running" : "Stopped";
            return envelope.async("state");
        }
        if (r.path.startsWith("/1.0/operations/")) return envelope.operation(r.path.split("/")[3], 200);
        return undefined;
    };
}

describe("instance create meeting an instance of its name", () => {
    it("takes over this cluster's (a killed run's create): waits for LXD's create, converges it, posts nothing", async () => {
        const live = { config: { "user.bcm.cluster": "c1", "volatile.base_image": fp }, status: "Stopped", exists: true };
        const fake = await FakeLxd.start(halfMade(live));
        try {
            const { id, outs } = await new LxdProvider().create(urn, inputs(fake.url));
            expect(id).toBe("web");
            expect(outs).toMatchObject({ name: "web", running: true, status: "Running" });
            const changes = fake.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
            expect(changes).toEqual(["PUT /1.0/instances/web", "PUT /1.0/instances/web/state"]);
            // The create LXD was still doing was waited for before anything was changed.
            const order = fake.seen().filter((s) => s.includes("/wait") || s.startsWith("PUT"));
            expect(order[0]).toMatch(/^GET \/1.0\/operations\/create\/wait/);
        } finally {
            await fake.stop();
        }
    });

    it("waits for a killed run's create that LXD has not listed the instance of yet, then takes it over instead of posting again", async () => {
        const live = { config: { "user.bcm.cluster": "c1", "volatile.base_image": fp }, status: "Stopped", exists: false };
        const route = halfMade(live);
        const fake = await FakeLxd.start((r) => {
            // LXD lists the instance once its create operation is over.
            if (r.path.startsWith("/1.0/operations/create/wait")) live.exists = true;
            return route(r);
        });
        try {
            await new LxdProvider().create(urn, inputs(fake.url));
            expect(fake.requests.filter((r) => r.method === "POST")).toEqual([]);
        } finally {
            await fake.stop();
        }
    });

    it("makes this cluster's again when it was made from another image", async () => {
        const live = { config: { "user.bcm.cluster": "c1", "volatile.base_image": other }, status: "Running", exists: true };
        const fake = await FakeLxd.start(halfMade(live));
        try {
            await new LxdProvider().create(urn, inputs(fake.url));
            const changes = fake.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
            expect(changes.filter((c) => c.endsWith("/1.0/instances/web") || c.endsWith("/1.0/instances"))).toEqual(["DELETE /1.0/instances/web", "POST /1.0/instances"]);
            expect(live.config["volatile.base_image"]).toBe(fp);
        } finally {
            await fake.stop();
        }
    });

    it("refuses another cluster's in one line naming its owner, and changes nothing", async () => {
        const live = { config: { "user.bcm.cluster": "c2" }, status: "Running", exists: true };
        const fake = await FakeLxd.start(halfMade(live));
        try {
            await expect(new LxdProvider().create(urn, inputs(fake.url))).rejects.toThrow(
                /^instance web on unix:\S+ already exists and belongs to cluster c2 \(user\.bcm\.cluster\), not to cluster c1; destroy that cluster first \(bcm cluster destroy c2\) or place this one on another endpoint$/,
            );
            expect(fake.requests.filter((r) => r.method !== "GET")).toEqual([]);
        } finally {
            await fake.stop();
        }
    });
});
