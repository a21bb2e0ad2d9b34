import * as fc from "fast-check";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import {
    changedConfigKeys,
    diffImage,
    diffInstance,
    diffNetwork,
    diffProfile,
    diffStoragePool,
    instanceServerKey,
    mergeConfigForPut,
    networkServerKey,
    networkValueMatches,
} from "./diff";

// Keys a program sets, and keys LXD fills in by itself, per object type.
const userKey = fc.stringMatching(/^(user|limits|security|boot|raw)\.[a-z][a-z0-9_.-]{0,10}$/);
const instanceServerOnly = fc.stringMatching(/^(volatile|image)\.[a-z0-9_.-]{1,16}$/);
const networkServerOnly = fc.oneof(fc.stringMatching(/^(ipv4|ipv6|volatile)\.[a-z0-9_.-]{1,12}$/), fc.constant("bridge.mtu"));
const networkUserKey = fc.stringMatching(/^(dns|user|raw|bridge\.driver|security)\.?[a-z0-9_-]{0,10}$/).filter((k) => !networkServerKey(k));
const poolServerOnly = fc.oneof(fc.constantFrom("source", "size"), fc.stringMatching(/^volatile\.[a-z0-9_.-]{1,12}$/));
const poolUserKey = fc.stringMatching(/^(btrfs|user|rsync)\.[a-z0-9_-]{1,10}$/);
const value = fc.string({ maxLength: 12 });
const configOf = (key: fc.Arbitrary<string>) => fc.dictionary(key, value, { maxKeys: 6 });
const devices = fc.dictionary(
    fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/),
    fc.record({ type: fc.constantFrom("nic", "disk", "proxy"), path: fc.string({ maxLength: 6 }) }),
    { maxKeys: 3 },
);

const instanceInputs = fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/),
    image: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
    type: fc.constantFrom("container", "virtual-machine"),
    ephemeral: fc.boolean(),
    running: fc.boolean(),
    description: value,
    profiles: fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 3 }),
    config: configOf(userKey),
    devices,
    endpoint: fc.constant({ url: "unix:///var/lib/lxd/unix.socket" }),
});

/** Outputs as read back from LXD: the inputs plus server keys and read-only fields. */
function asOutputs(inputs: Record<string, unknown>, serverConfig: Record<string, string>): Record<string, unknown> {
    return {
        ...inputs,
        config: { ...serverConfig, ...(inputs.config as Record<string, string>) },
        status: "Running",
        ipv4Address: "10.0.0.2",
        location: "none",
    };
}

describe("instance diff", () => {
    it("never sees a change in keys only the server filled in", () => {
        fc.assert(
            fc.property(instanceInputs, configOf(instanceServerOnly), (news, server) => {
                expect(diffInstance(asOutputs(news, server), news)).toEqual({ replaces: [], updates: [], deleteBeforeReplace: false });
            }),
        );
    });

    it("updates in place when a key the program sets changes, is added or is removed", () => {
        fc.assert(
            fc.property(instanceInputs, configOf(instanceServerOnly), userKey, value, (news, server, key, v) => {
                const olds = asOutputs(news, server);
                const config = news.config as Record<string, string>;
                const changed = { ...news, config: { ...config, [key]: config[key] === v ? v + "x" : v } };
                expect(diffInstance(olds, changed)).toEqual({ replaces: [], updates: ["config"], deleteBeforeReplace: false });
                const { [key]: _dropped, ...rest } = { ...config, [key]: v };
                const removedFrom = asOutputs({ ...news, config: { ...config, [key]: v } }, server);
                expect(diffInstance(removedFrom, { ...news, config: rest }).updates).toEqual(["config"]);
            }),
        );
    });

    it("shows drift: a key set behind Pulumi's back that the server would not set is a change", () => {
        fc.assert(
            fc.property(instanceInputs, userKey, value, (news, key, v) => {
                fc.pre(!(key in news.config));
                const olds = asOutputs(news, { [key]: v });
                expect(diffInstance(olds, news).updates).toEqual(["config"]);
            }),
        );
    });

    it("replaces on name, image, type or ephemeral, deleting first when the name stays", () => {
        const replaceKey = fc.constantFrom("name", "image", "type", "ephemeral");
        fc.assert(
            fc.property(instanceInputs, configOf(instanceServerOnly), replaceKey, (news, server, key) => {
                const olds = asOutputs(news, server);
                const changed: Record<string, unknown> = { ...news };
                changed[key] =
                    key === "ephemeral" ? !news.ephemeral : key === "type" ? (news.type === "container" ? "virtual-machine" : "container") : `${news[key as "name"]}z`;
                const plan = diffInstance(olds, changed);
                expect(plan.replaces).toEqual([key]);
                expect(plan.deleteBeforeReplace).toBe(key !== "name");
            }),
        );
    });

    it("updates in place for profiles, devices, running and the endpoint's credentials", () => {
        const olds = asOutputs({ name: "c", image: "i", type: "container", ephemeral: false, running: true, description: "", profiles: ["default"], config: {}, devices: {}, endpoint: { url: "unix://" } }, {});
        const news = { ...olds, profiles: ["default", "p"], devices: { eth1: { type: "nic" } }, running: false, endpoint: { url: "unix://", clientKey: "k" } };
        expect(diffInstance(olds, news)).toEqual({ replaces: [], updates: ["devices", "endpoint", "profiles", "running"], deleteBeforeReplace: false });
    });

    it("assumes a change when the config is not known yet (preview)", () => {
        expect(changedConfigKeys({ a: "1" }, unknownValue, instanceServerKey)).toEqual(["*"]);
        expect(diffInstance({ name: "c", config: {} }, { name: "c", config: unknownValue }).updates).toEqual(["config"]);
        expect(diffInstance({ name: "c", image: "a" }, { name: "c", image: unknownValue }).replaces).toEqual(["image"]);
    });
});

describe("config merged for a PUT", () => {
    it("keeps every server-filled key the program does not set, never keeps other live keys, and applies every desired key", () => {
        fc.assert(
            fc.property(configOf(fc.oneof(userKey, instanceServerOnly)), configOf(fc.oneof(userKey, instanceServerOnly)), (live, desired) => {
                const merged = mergeConfigForPut(live, desired, instanceServerKey);
                for (const [k, v] of Object.entries(desired)) expect(merged[k]).toBe(v);
                for (const [k, v] of Object.entries(live)) {
                    if (instanceServerKey(k) && !(k in desired)) expect(merged[k]).toBe(v);
                    if (!instanceServerKey(k) && !(k in desired)) expect(k in merged).toBe(false);
                }
            }),
        );
    });

    it("keeps the bridge address LXD picked for a desired \"auto\" (sending auto again would pick a new subnet)", () => {
        const live = { "ipv4.address": "10.9.8.1/24", "ipv4.nat": "true" };
        expect(mergeConfigForPut(live, { "ipv4.address": "auto" }, networkServerKey, networkValueMatches)).toEqual(live);
        expect(mergeConfigForPut(live, { "ipv4.address": "10.7.0.1/24" }, networkServerKey, networkValueMatches)["ipv4.address"]).toBe("10.7.0.1/24");
    });
});

describe("network, pool, profile and image diffs", () => {
    const network = (config: Record<string, string>) => ({ name: "br1", type: "bridge", description: "", config, endpoint: {} });

    it("networks: addresses, NAT and MTU LXD picked are no change; the ones the program sets are compared", () => {
        fc.assert(
            fc.property(configOf(networkUserKey), configOf(networkServerOnly), (user, server) => {
                expect(diffNetwork(network({ ...server, ...user }), network(user)).updates).toEqual([]);
            }),
        );
        expect(diffNetwork(network({ "ipv4.address": "10.1.0.1/24" }), network({ "ipv4.address": "10.2.0.1/24" })).updates).toEqual(["config"]);
        expect(diffNetwork(network({ "ipv4.address": "10.1.0.1/24" }), network({ "ipv4.address": "auto" })).updates).toEqual([]);
        expect(diffNetwork(network({ "ipv6.address": "none" }), network({ "ipv6.address": "auto" })).updates).toEqual(["config"]);
        expect(diffNetwork(network({}), { ...network({}), name: "br2" })).toMatchObject({ replaces: ["name"], deleteBeforeReplace: false });
        expect(diffNetwork(network({}), { ...network({}), type: "macvlan" })).toMatchObject({ replaces: ["type"], deleteBeforeReplace: true });
    });

    it("pools: source, size and volatile keys LXD filled in are no change; a source the program changes replaces", () => {
        const pool = (config: Record<string, string>) => ({ name: "p", driver: "btrfs", description: "", config, endpoint: {} });
        fc.assert(
            fc.property(configOf(poolUserKey), configOf(poolServerOnly), (user, server) => {
                expect(diffStoragePool(pool({ ...server, ...user }), pool(user))).toEqual({ replaces: [], updates: [], deleteBeforeReplace: false });
            }),
        );
        expect(diffStoragePool(pool({ source: "/a" }), pool({ source: "/b" }))).toMatchObject({ replaces: ["config"], deleteBeforeReplace: true });
        expect(diffStoragePool(pool({ size: "5GiB" }), pool({ size: "6GiB" }))).toMatchObject({ replaces: [], updates: ["config"] });
        expect(diffStoragePool(pool({}), { ...pool({}), driver: "dir" }).replaces).toEqual(["driver"]);
    });

    it("profiles: every config key is the program's, so any difference is a change", () => {
        const profile = (config: Record<string, string>) => ({ name: "p", description: "", config, devices: {}, endpoint: {} });
        fc.assert(
            fc.property(configOf(fc.oneof(userKey, instanceServerOnly)), configOf(fc.oneof(userKey, instanceServerOnly)), (a, b) => {
                const changed = JSON.stringify(Object.entries(a).sort()) !== JSON.stringify(Object.entries(b).sort());
                expect(diffProfile(profile(a), profile(b)).updates).toEqual(changed ? ["config"] : []);
            }),
        );
        expect(diffProfile(profile({}), { ...profile({}), name: "q" })).toMatchObject({ replaces: ["name"], deleteBeforeReplace: false });
    });

    it("images: new contents replace (create first: the fingerprint is the id), aliases change in place", () => {
        const image = { fingerprint: "aa", aliases: ["base"], public: false, metadataPath: "/m", rootfsPath: "/r", endpoint: {} };
        expect(diffImage({ ...image, uploaded: true, size: 5 }, image)).toEqual({ replaces: [], updates: [], deleteBeforeReplace: false });
        expect(diffImage(image, { ...image, fingerprint: "bb" })).toEqual({ replaces: ["fingerprint"], updates: [], deleteBeforeReplace: false });
        expect(diffImage(image, { ...image, aliases: ["base", "b2"], rootfsPath: "/r2" })).toEqual({
            replaces: [],
            updates: ["aliases", "rootfsPath"],
            deleteBeforeReplace: false,
        });
    });
});
