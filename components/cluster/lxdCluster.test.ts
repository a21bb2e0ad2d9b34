import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { LxdCluster, validateCluster } from "./lxdCluster";
import { LxdEndpoint } from "./lxdEndpoint";
import { PlacementError, place } from "./placement";

const registered: { type: string; name: string }[] = [];

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name });
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: () => ({}),
        },
        "bcm",
        "dev",
        false,
    );
});

/** An Output's value, under mocks. */
const value = <T>(o: pulumi.Output<T>) => new Promise<T>((ok) => o.apply((v) => ok(v)));

const local = (name: string) => ({ name, mode: "local" as const, verify: false });

describe("LxdCluster", () => {
    it("creates endpoints from specs as its children, in order, and keeps endpoints made elsewhere", async () => {
        const before = registered.length;
        const outside = new LxdEndpoint("outside", { mode: "local", verify: false });
        const cluster = new LxdCluster("dc1", { endpoints: [local("a"), outside, local("c")] });
        expect(cluster.endpoints.map((e) => e.endpointName)).toEqual(["a", "outside", "c"]);
        expect(cluster.endpoints[1]).toBe(outside);
        await Promise.all([value(cluster.urn), ...cluster.endpoints.map((e) => value(e.urn))]);
        expect(registered.slice(before).map((r) => `${r.type} ${r.name}`).sort()).toEqual([
            "bcm:cluster:LxdCluster dc1",
            "bcm:cluster:LxdEndpoint dc1-a",
            "bcm:cluster:LxdEndpoint dc1-c",
            "bcm:cluster:LxdEndpoint outside",
        ]);
        const urn = await value(cluster.endpoints[0].urn);
        expect(urn).toMatch(/::bcm:cluster:LxdCluster\$bcm:cluster:LxdEndpoint::dc1-a$/);
        expect(await value(cluster.endpointNames)).toEqual(["a", "outside", "c"]);
        expect(await value(cluster.endpoint("c").endpoint.url)).toBe("unix:///var/lib/lxd/unix.socket");
        expect(() => cluster.endpoint("zz")).toThrow(/LXD cluster "dc1" has no endpoint "zz" \(it has a, outside, c\)/);
    });

    it("places: first(n), every(), and tiers by rule with their container names and Swarm roles", () => {
        const cluster = new LxdCluster("dc2", { endpoints: ["h1", "h2", "h3", "h4", "h5", "h6"].map(local) });
        expect(cluster.first(2).map((p) => [p.name, p.index])).toEqual([["h1", 0], ["h2", 1]]);
        expect(cluster.first(9).map((p) => p.name)).toEqual(["h1", "h2", "h3", "h4", "h5", "h6"]);
        expect(cluster.every().map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
        const gateway = cluster.select("gateway", { first: 5 });
        expect(gateway.map((p) => p.containerName)).toEqual(["bcm-gateway-01", "bcm-gateway-02", "bcm-gateway-03", "bcm-gateway-04", "bcm-gateway-05"]);
        expect(gateway.every((p) => p.swarmRole === "manager")).toBe(true);
        const kafka = cluster.select("kafka");
        expect(kafka.map((p) => [p.name, p.containerName, p.swarmRole])[5]).toEqual(["h6", "bcm-kafka-06", "worker"]);
        expect(kafka[2].endpoint).toBe(cluster.endpoints[2]);
        expect(() => cluster.select("schema-registry", { min: 7 })).toThrow(PlacementError);
        expect(() => cluster.select("Bad")).toThrow(/lower-case/);
        expect(() => cluster.first(0)).toThrow(/first\(n\) needs a whole number ≥ 1, got 0/);
    });

    it("refuses an empty cluster, duplicate names and names that are not host names, all at once", () => {
        expect(() => new LxdCluster("dc3", { endpoints: [] })).toThrow(/LXD cluster "dc3": it has no endpoints: give at least one \(mode "local"/);
        expect(() => new LxdCluster("dc4", { endpoints: [local("a"), local("b"), local("a")] })).toThrow(
            /endpoint "a" appears twice \(positions 1 and 3\); endpoint names must be unique/,
        );
        const outside = new LxdEndpoint("twice", { mode: "local", verify: false });
        expect(() => new LxdCluster("dc5", { endpoints: [outside, outside] })).toThrow(/"twice" appears twice/);
        expect(() => validateCluster("Bad Cluster", ["ok", "Not_OK", "ok"])).toThrow(
            /the cluster name must be .*; LXD endpoint name "Not_OK" must be .*; endpoint "ok" appears twice/,
        );
    });

    it("places a tier on a prefix of the cluster's order, and appending an endpoint moves nothing", () => {
        let run = 0;
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), (count, first) => {
                run += 1;
                const names = Array.from({ length: count }, (_v, i) => `n${i}`);
                const small = new LxdCluster(`p${run}`, { endpoints: names.map(local) });
                const grown = new LxdCluster(`q${run}`, { endpoints: [...names, "added"].map(local) });
                const before = small.select("zk", { first }).map((p) => [p.name, p.containerName]);
                const after = grown.select("zk", { first }).map((p) => [p.name, p.containerName]);
                expect(before.map(([n]) => n)).toEqual(names.slice(0, Math.min(first, count)));
                expect(after.slice(0, before.length)).toEqual(before);
            }),
            { numRuns: 30 },
        );
    });
});
