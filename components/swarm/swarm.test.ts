import fc from "fast-check";
import { dockerDaemonConfig, tierConstraint } from "./daemonConfig";
import { decideOverlayEncryption } from "./encryption";
import { registryPlatforms, serviceSpecDefaults } from "./swarmService";

describe("dockerd config of a tier container", () => {
    it("labels the engine with its tier and names the mirror", () => {
        expect(dockerDaemonConfig({ tier: "gateway", registryMirror: "http://127.0.0.1:5000" })).toEqual({
            "storage-driver": "overlay2",
            "log-driver": "json-file",
            "log-opts": { "max-size": "10m", "max-file": "3" },
            labels: ["bcm-tier=gateway"],
            "registry-mirrors": ["http://127.0.0.1:5000"],
        });
        expect(tierConstraint("kafka")).toBe("engine.labels.bcm-tier == kafka");
    });

    it("never trusts a registry over plain HTTP on the LAN", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), (tier) => {
                expect(dockerDaemonConfig({ tier })).not.toHaveProperty("insecure-registries");
            }),
        );
    });

    it("refuses a bad tier or mirror, naming the field", () => {
        expect(() => dockerDaemonConfig({ tier: "Gate way" })).toThrow(/tier "Gate way"/);
        expect(() => dockerDaemonConfig({ tier: "gateway", registryMirror: "127.0.0.1:5000" })).toThrow(/registryMirror .*give a URL/);
    });
});

describe("overlay encryption", () => {
    const probes = fc.dictionary(fc.stringMatching(/^bcm-gateway-0[1-9]$/), fc.boolean(), { minKeys: 1, maxKeys: 5 });

    it("encrypts whenever every endpoint can, unless turned off", () => {
        fc.assert(
            fc.property(probes, (p) => {
                const all = Object.values(p).every(Boolean);
                if (all) {
                    expect(decideOverlayEncryption("auto", p).encrypted).toBe(true);
                    expect(decideOverlayEncryption("required", p).encrypted).toBe(true);
                }
                expect(decideOverlayEncryption("off", p)).toMatchObject({ encrypted: false, warning: expect.stringContaining("not encrypted") });
            }),
        );
    });

    it("never black-holes: without ESP it is unencrypted on one endpoint (with a warning) and an error on several", () => {
        expect(decideOverlayEncryption("auto", { "bcm-gateway-01": false })).toMatchObject({
            encrypted: false,
            warning: expect.stringMatching(/no ESP.*never leaves the machine/),
        });
        expect(() => decideOverlayEncryption("auto", { a: true, b: false })).toThrow(/endpoint\(s\) b has no ESP.*set bcm:overlayEncryption to "off"/);
        expect(() => decideOverlayEncryption("required", { a: false })).toThrow(/"required" but .*endpoint\(s\) a/);
        expect(() => decideOverlayEncryption("sometimes" as never, { a: true })).toThrow(/"sometimes" is not one of auto, required, off/);
    });
});

describe("swarm service defaults", () => {
    it("runs replicated with limits and DNS round-robin unless told otherwise", () => {
        expect(serviceSpecDefaults("tor", {})).toEqual({
            mode: { replicated: { replicas: 1 } },
            limits: { memoryBytes: 512 * 1024 * 1024 },
            endpointMode: "dnsrr",
        });
        expect(serviceSpecDefaults("x", { replicas: "global", cpus: 0.5, memoryMiB: 64 })).toMatchObject({ mode: { global: true }, limits: { nanoCpus: 5e8 } });
    });

    it("refuses bad counts and ports, naming the service and field", () => {
        expect(() => serviceSpecDefaults("tor", { replicas: -1 })).toThrow(/service tor: replicas -1/);
        expect(() => serviceSpecDefaults("tor", { memoryMiB: 1 })).toThrow(/memoryMiB 1/);
        expect(() => serviceSpecDefaults("tor", { cpus: 0 })).toThrow(/cpus 0 must be above 0/);
        expect(() => serviceSpecDefaults("tor", { ports: [{ target: 0, published: 9050 }] })).toThrow(/ports target 0/);
        expect(() => serviceSpecDefaults("tor", { ports: [{ target: 1, published: 9050 }, { target: 2, published: 9050 }] })).toThrow(/9050\/tcp is published twice/);
        expect(() => serviceSpecDefaults("tor", { ports: [{ target: 1, published: 9053 }, { target: 1, published: 9053, protocol: "udp" }] })).not.toThrow();
    });
});

describe("the platforms a service declares", () => {
    it("are Docker's own for an image named by its registry digest, and none for one named by tag", () => {
        const ref = "127.0.0.1:5010/bcm/btcd@sha256:3f572d97476954efca0f78e5a1a7acd3bdedd6ff8d478ba8c17342fe6e649694";
        expect(registryPlatforms(ref, "x64")).toEqual([{ os: "linux", architecture: "amd64" }]);
        expect(registryPlatforms(ref, "arm64")).toEqual([{ os: "linux", architecture: "arm64" }]);
        expect(registryPlatforms("127.0.0.1:5010/bcm/registry:e2be10b0f46b0739", "x64")).toBeUndefined();
        expect(registryPlatforms("bcm/registry:e2be10b0f46b0739")).toBeUndefined();
    });
});
