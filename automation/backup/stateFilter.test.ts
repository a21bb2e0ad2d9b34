import fc from "fast-check";
import { Deployment, keptForItself, keptState, StateResource } from "./stateFilter";

const stack = "urn:pulumi:c1::bcm-cluster::pulumi:pulumi:Stack::bcm-cluster-c1";
const urn = (type: string, name: string, parents: string[] = []) => `urn:pulumi:c1::bcm-cluster::${[...parents, type].join("$")}::${name}`;
const dc = urn("bcm:datacenter:DataCenter", "data-center");
const gw = urn("bcm:gateway:GatewayTier", "data-center-gateway", ["bcm:datacenter:DataCenter"]);
const randomProvider = "urn:pulumi:c1::bcm-cluster::pulumi:providers:random::default_4_21_1";
const dockerProvider = urn("pulumi:providers:docker", "swarm", ["bcm:datacenter:DataCenter"]);
const seed = urn("random:index/randomBytes:RandomBytes", "gw-onion-registry-seed", ["bcm:datacenter:DataCenter", "bcm:gateway:GatewayTier"]);
const secret = urn("docker:index/secret:Secret", "gw-onion-registry-key", ["bcm:datacenter:DataCenter", "bcm:gateway:GatewayTier"]);
const tls = urn("command:local:Command", "bitcoin-rpc-tls", ["bcm:datacenter:DataCenter"]);
const transfer = urn("command:local:Command", "gw-image-lnd", ["bcm:datacenter:DataCenter"]);

const resources: StateResource[] = [
    { urn: stack, type: "pulumi:pulumi:Stack", custom: false },
    { urn: randomProvider, type: "pulumi:providers:random", custom: true, id: "p1", parent: stack },
    { urn: dc, type: "bcm:datacenter:DataCenter", custom: false, parent: stack },
    { urn: dockerProvider, type: "pulumi:providers:docker", custom: true, id: "p2", parent: dc },
    { urn: gw, type: "bcm:gateway:GatewayTier", custom: false, parent: dc, dependencies: [dockerProvider] },
    { urn: seed, type: "random:index/randomBytes:RandomBytes", custom: true, id: "s", parent: gw, provider: `${randomProvider}::p1`, dependencies: [] },
    { urn: secret, type: "docker:index/secret:Secret", custom: true, id: "x", parent: gw, provider: `${dockerProvider}::p2`, dependencies: [seed], propertyDependencies: { data: [seed] } },
    { urn: tls, type: "command:local:Command", custom: true, id: "t", parent: dc, dependencies: [secret], propertyDependencies: { create: [secret, seed] } },
    { urn: transfer, type: "command:local:Command", custom: true, id: "u", parent: dc },
];
const deployment: Deployment = { version: 3, deployment: { manifest: { time: "t" }, secrets_providers: { type: "passphrase" }, resources, pending_operations: [{ type: "creating" }] } };

describe("keptState: what of a stack's state a restore imports", () => {
    it("keeps the drawn values (random, the RPC certificate), their components and providers, and drops the machines' resources", () => {
        const kept = keptState(deployment);
        expect(kept.deployment.resources!.map((r) => r.urn)).toEqual([stack, randomProvider, dc, gw, seed, tls]);
        expect(kept.deployment.secrets_providers).toEqual({ type: "passphrase" });
        expect(kept.deployment.pending_operations).toBeUndefined();
    });

    it("drops dependencies on resources it does not keep", () => {
        const kept = keptState(deployment).deployment.resources!;
        expect(kept.find((r) => r.urn === gw)!.dependencies).toEqual([]);
        expect(kept.find((r) => r.urn === tls)!.dependencies).toEqual([]);
        expect(kept.find((r) => r.urn === tls)!.propertyDependencies).toEqual({ create: [seed] });
    });

    it("keeps only the RPC certificate of the local commands", () => {
        expect(keptForItself({ type: "command:local:Command", urn: tls })).toBe(true);
        expect(keptForItself({ type: "command:local:Command", urn: transfer })).toBe(false);
        expect(keptForItself({ type: "random:index/randomPassword:RandomPassword", urn: "x::bitcoin-rpc-password" })).toBe(true);
    });

    it("every kept resource's parent and provider come before it and are kept (any subset of the resources)", () => {
        fc.assert(
            fc.property(fc.subarray(resources.slice(1), { minLength: 0 }), (subset) => {
                const ordered = resources.filter((r) => r === resources[0] || subset.includes(r));
                // A parent missing from the input cannot be kept; what is kept is consistent.
                const kept = keptState({ version: 3, deployment: { resources: ordered } }).deployment.resources!;
                const seen = new Set<string>();
                for (const r of kept) {
                    if (r.parent && ordered.some((o) => o.urn === r.parent)) expect(seen.has(r.parent)).toBe(true);
                    for (const d of r.dependencies ?? []) expect(kept.some((k) => k.urn === d)).toBe(true);
                    seen.add(r.urn);
                }
                for (const r of ordered) if (keptForItself(r)) expect(seen.has(r.urn)).toBe(true);
            }),
        );
    });
});
