import fc from "fast-check";
import { DockerKind, dockerOrphans, dockerResourceTypes, listCommand, ownedDockerObjects, parseList, removalOrder, swarmKinds } from "./dockerOrphans";

const kinds: DockerKind[] = ["service", "secret", "config", "network", "volume"];

describe("Docker objects cull finds", () => {
    it("lists only this cluster's objects, by the bcm.cluster label", () => {
        expect(listCommand("service", "standalone")).toEqual(["docker", "service", "ls", "--filter", "label=bcm.cluster=standalone", "--format", "{{.ID}}\t{{.Name}}"]);
        expect(listCommand("volume", "c1")).toEqual(["docker", "volume", "ls", "--filter", "label=bcm.cluster=c1", "--format", "{{.Name}}\t{{.Name}}"]);
        expect(parseList("secret", "abc\tonion-key\n\nxyz\tother\n")).toEqual([
            { kind: "secret", id: "abc", name: "onion-key" },
            { kind: "secret", id: "xyz", name: "other" },
        ]);
    });

    it("reads what the state holds from the docker provider's resources, by ID and by name", () => {
        const owned = ownedDockerObjects([
            { type: "docker:index/service:Service", id: "s1", outputs: { name: "registry" } },
            { type: "docker:index/serviceConfig:ServiceConfig", id: "c1", outputs: { name: "torrc-1" } },
            { type: "docker:index/volume:Volume", id: "data", outputs: { name: "data" } },
            { type: "lxd:index:Instance", id: "bcm-gateway-01", outputs: { name: "bcm-gateway-01" } },
        ]);
        expect([...owned.service]).toEqual(["s1", "registry"]);
        expect([...owned.config]).toEqual(["c1", "torrc-1"]);
        expect([...owned.volume]).toEqual(["data"]);
        expect(owned.network.size + owned.secret.size).toBe(0);
    });

    it("is exactly the listed objects held by the state neither by ID nor by name, each once", () => {
        // Few distinct values, so IDs and names collide often; one object (ID) has one name.
        const names: Record<string, string> = { a1: "a1", b2: "tor", c3: "registry", d4: "b2" };
        const object = fc.record({ kind: fc.constantFrom(...kinds), id: fc.constantFrom(...Object.keys(names)) }).map((o) => ({ ...o, name: names[o.id] }));
        const typeOf = (k: DockerKind) => Object.entries(dockerResourceTypes).find(([, kind]) => kind === k)![0];
        fc.assert(
            fc.property(fc.array(object), fc.array(object), (listed, held) => {
                const owned = ownedDockerObjects(held.map((h) => ({ type: typeOf(h.kind), id: h.id, outputs: { name: h.name } })));
                const orphans = dockerOrphans(listed, owned);
                for (const o of orphans) {
                    expect(held.some((h) => h.kind === o.kind && (h.id === o.id || h.name === o.name || h.id === o.name || h.name === o.id))).toBe(false);
                }
                for (const l of listed) {
                    const isHeld = owned[l.kind].has(l.id) || owned[l.kind].has(l.name);
                    expect(orphans.some((o) => o.kind === l.kind && o.id === l.id)).toBe(!isHeld);
                }
                expect(new Set(orphans.map((o) => `${o.kind}/${o.id}`)).size).toBe(orphans.length);
            }),
        );
    });

    it("removes services before what they use, and volumes last", () => {
        expect(removalOrder[0]).toBe("service");
        expect(removalOrder[removalOrder.length - 1]).toBe("volume");
        expect([...removalOrder].sort()).toEqual([...kinds].sort());
        expect(swarmKinds).not.toContain("volume");
    });
});
