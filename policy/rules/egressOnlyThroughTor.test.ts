import fc from "fast-check";
import { computed, messages, runStackPolicy } from "../testing/harness";
import { container, network, regtest, service } from "../testing/fixtures";
import { egressOnlyThroughTor } from "./egressOnlyThroughTor";

const run = (resources: Parameters<typeof runStackPolicy>[1], egressAllowed: string[] = ["tor"]) =>
    runStackPolicy(egressOnlyThroughTor, resources, { ...regtest, egressAllowed });

const gateway = [
    network("tor-socks", true),
    network("tor-egress", false),
    service({ name: "tor", networks: ["tor-egress", "tor-socks"] }),
];

describe("egress-only-through-tor", () => {
    it("passes a tier whose services sit only on internal networks, with Tor allowed by name", async () => {
        const r = await run([...gateway, network("bitcoind-net", true), service({ name: "bitcoind", networks: ["bitcoind-net", "tor-socks"] })]);
        expect(r.violations).toEqual([]);
    });

    it("refuses any service on a non-internal network unless allowed by name", async () => {
        await fc.assert(
            fc.asyncProperty(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((n) => n !== "tor"), async (name) => {
                const r = await run([...gateway, service({ name, networks: ["tor-egress"] })]);
                expect(messages(r)).toEqual([
                    `egress-only-through-tor: service ${name} can reach outside without Tor: it is attached to network "tor-egress", which is not internal: true; ` +
                        "fix: attach it only to docker networks with internal: true, publish no host ports, and reach outside through the gateway's Tor SOCKS port; " +
                        `if it is the gateway's Tor service, allow it by name: egressAllowed: ["${name}"]`,
                ]);
                expect(r.violations[0].level).toBe("mandatory");
                expect(r.violations[0].urn).toBe(`urn:pulumi:test::bcm::docker:index/service:Service::${name}`);
                expect((await run([...gateway, service({ name, networks: ["tor-egress"] })], ["tor", name])).violations).toEqual([]);
            }),
        );
    });

    it("refuses a Tor service that the config does not allow", async () => {
        expect(messages(await run(gateway, []))).toEqual([expect.stringContaining("service tor can reach outside without Tor")]);
    });

    it("refuses services on no network, on undeclared networks, on computed references and with published ports", async () => {
        const r = await run([
            ...gateway,
            service({ name: "a", networks: [] }),
            service({ name: "b", networks: ["ingress"] }),
            service({ name: "c", networks: [computed] }),
            network("d-net", true),
            service({ name: "d", networks: ["d-net"], ports: [[3000, 3000]] }),
        ]);
        const m = messages(r).join("\n");
        expect(m).toContain("service a can reach outside without Tor: it is attached to no network");
        expect(m).toContain('service b can reach outside without Tor: it is attached to network "ingress", which this stack does not declare');
        expect(m).toContain("service c can reach outside without Tor: it is attached to a network that is not known before deploy and comes from no network of this stack");
        expect(m).toContain("service d can reach outside without Tor: it publishes host ports (endpointSpec.ports entry 3000)");
        expect(r.violations).toHaveLength(4);
    });

    it("resolves references not known before deploy (network.id) through the networks they depend on", async () => {
        const onInternal = { ...service({ name: "s1", networks: [computed] }), dependsOn: { taskSpec: ["bitcoind-net"] } };
        const onBoth = { ...service({ name: "s2", networks: [computed, computed] }), dependsOn: { taskSpec: ["bitcoind-net", "tor-egress"] } };
        const r = await run([...gateway, network("bitcoind-net", true), onInternal, onBoth]);
        expect(messages(r)).toEqual([
            expect.stringContaining('service s2 can reach outside without Tor: it may be attached to network "tor-egress" (its reference is not known before deploy), which is not internal: true; fix:'),
        ]);
        // What the docker provider plans for `{ id: network.id }`: name "" and the id unknown.
        const planned = service({ name: "s3" });
        (planned.props.taskSpec as { networksAdvanceds: unknown[] }).networksAdvanceds = [{ name: "", id: computed }];
        const plannedOnInternal = { ...planned, dependsOn: { taskSpec: ["bitcoind-net"] } };
        expect((await run([...gateway, network("bitcoind-net", true), plannedOnInternal])).violations).toEqual([]);
        // A plan that dropped the entries whose id is not known yet (an empty list) still
        // depends on the networks: it passes when all are internal, not when one is open.
        const dropped = { ...service({ name: "s4", networks: [] }), dependsOn: { taskSpec: ["bitcoind-net"] } };
        expect((await run([...gateway, network("bitcoind-net", true), dropped])).violations).toEqual([]);
        const droppedOpen = { ...service({ name: "s5", networks: [] }), dependsOn: { taskSpec: ["tor-egress"] } };
        expect(messages(await run([...gateway, droppedOpen]))).toEqual([
            expect.stringContaining('service s5 can reach outside without Tor: it may be attached to network "tor-egress" (its reference is not known before deploy), which is not internal: true'),
        ]);
        const containerOnInternal = { ...container({ networksAdvanced: [{ name: computed }] }, "c1"), dependsOn: { networksAdvanced: ["bitcoind-net"] } };
        expect((await run([...gateway, network("bitcoind-net", true), containerOnInternal])).violations).toEqual([]);
    });

    it("defers to the update a service whose networks the preview knows nothing of (their provider is new too), unless another service is refused", async () => {
        const unplanned = { ...network("tier-net", true), props: {} };
        const onUnplanned = { ...service({ name: "kafka-1", networks: [] }), dependsOn: { taskSpec: ["tier-net"] } };
        const r = await run([...gateway, unplanned, onUnplanned]);
        expect(r.violations).toEqual([]);
        expect(r.deferred).toMatch(/can't be known during preview/);
        const refused = await run([...gateway, unplanned, onUnplanned, service({ name: "leaky", networks: ["tor-egress"] })]);
        expect(messages(refused)).toEqual([expect.stringContaining("service leaky can reach outside without Tor")]);
    });

    it("resolves networks by Pulumi name, docker name and id, and treats a computed internal flag as not internal", async () => {
        const byId = { ...network("n1", true), props: { name: "n1-abc", id: "f00d", driver: "overlay", internal: true } };
        const ok = await run([...gateway, byId, service({ name: "s1", networks: ["n1"] }), service({ name: "s2", networks: ["n1-abc"] }), service({ name: "s3", networks: ["f00d"] })]);
        expect(ok.violations).toEqual([]);
        const unknownFlag = await run([...gateway, network("n2", computed as unknown as boolean), service({ name: "s4", networks: ["n2"] })]);
        expect(messages(unknownFlag)[0]).toContain('network "n2", which is not internal: true');
        const ingress = await run([...gateway, network("n3", true, { ingress: true }), service({ name: "s5", networks: ["n3"] })]);
        expect(messages(ingress)).toHaveLength(1);
    });

    it("checks containers: default bridge, host and container namespaces, networks", async () => {
        const r = await run([
            ...gateway,
            network("int", true),
            container({ networkMode: "bridge" }, "c1"),
            container({ networkMode: "host" }, "c2"),
            container({ networkMode: "container:tor" }, "c3"),
            container({ networkMode: "bridge", networksAdvanced: [{ name: "int" }] }, "c4"),
            container({ networkMode: "none" }, "c5"),
            container({ networkMode: "tor-egress", networksAdvanced: [{ name: "int" }] }, "c6"),
        ]);
        const m = messages(r).join("\n");
        expect(m).toContain("container c1 can reach outside without Tor: it sits on docker's default bridge network");
        expect(m).toContain("container c2 can reach outside without Tor: it shares a network namespace (networkMode host)");
        expect(m).toContain("container c3 can reach outside without Tor: it shares a network namespace (networkMode container:tor)");
        expect(m).toContain('container c6 can reach outside without Tor: it is attached to network "tor-egress"');
        expect(m).not.toContain("container c4");
        expect(m).not.toContain("container c5");
    });
});
