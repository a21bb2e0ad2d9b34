import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import fc from "fast-check";
import { allPolicyNames } from "./names";
import { policies } from "./policies";
import { chains, policyPackConfig, readSettings, registryPattern, settingsSchema } from "./settings";

describe("settings", () => {
    it("reads a full settings object as given", () => {
        const given = {
            chain: "signet" as const,
            device: "trezor" as const,
            privateRegistry: "127.0.0.1:5010",
            publishedPorts: [{ service: "tor", port: 9050 }],
            egressAllowed: ["tor"],
            relaxed: { "pinned-image-tags": "testing a nightly build" },
            hostPaths: ["/root/.bcm"],
        };
        expect(readSettings(given)).toEqual(given);
    });

    it("fails closed: no config means mainnet with nothing declared, and malformed entries are dropped", () => {
        expect(readSettings(undefined)).toEqual({ chain: "mainnet", device: undefined, privateRegistry: undefined, publishedPorts: [], egressAllowed: [], relaxed: {}, hostPaths: [] });
        const odd = readSettings({ chain: "moonnet", device: "ledger", privateRegistry: "http://x/", publishedPorts: [{ service: "a" }, 5], egressAllowed: [1, ""], relaxed: { a: "", b: 3 }, hostPaths: ["relative", 3, "/"] });
        expect(odd).toEqual({ chain: "mainnet", device: undefined, privateRegistry: undefined, publishedPorts: [], egressAllowed: [], relaxed: {}, hostPaths: [] });
    });

    it("accepts registries as host[:port]", () => {
        const re = new RegExp(registryPattern);
        for (const ok of ["127.0.0.1:5010", "registry.bcm.internal", "localhost:5000", "[::1]:5010"]) {
            expect(re.test(ok)).toBe(true);
        }
        for (const bad of ["http://127.0.0.1:5010", "127.0.0.1:5010/bcm", "", "a b"]) {
            expect(re.test(bad)).toBe(false);
        }
    });

    it("writes the same settings into every policy's section, without enforcement levels", () => {
        fc.assert(
            fc.property(fc.constantFrom(...chains), fc.array(fc.string({ minLength: 1 })), (chain, egressAllowed) => {
                const config = policyPackConfig({ chain, egressAllowed });
                expect(Object.keys(config).sort()).toEqual([...allPolicyNames].sort());
                for (const section of Object.values(config)) {
                    expect(section).toEqual({ chain, egressAllowed });
                }
            }),
        );
    });

    it("is the schema of every policy, and the schema's defaults match readSettings' defaults", () => {
        for (const p of policies) {
            expect(p.configSchema).toBe(settingsSchema);
        }
        const defaults = Object.fromEntries(
            Object.entries(settingsSchema.properties)
                .filter(([, s]) => (s as PolicyConfigJSONSchema).default !== undefined)
                .map(([k, s]) => [k, (s as PolicyConfigJSONSchema).default]),
        );
        const read = readSettings({});
        for (const [k, v] of Object.entries(defaults)) {
            expect(read[k as keyof typeof read]).toEqual(v);
        }
    });
});

describe("the pack", () => {
    it("has every named policy once, mandatory ones mandatory and advisory ones advisory", () => {
        const names = policies.map((p) => p.name);
        expect(names).toEqual([...allPolicyNames]);
        for (const p of policies) {
            expect(p.enforcementLevel).toBe(p.name === "resource-limits-set" || p.name === "pinned-image-tags" ? "advisory" : "mandatory");
            expect(p.description.length).toBeGreaterThan(20);
        }
    });

    it("declares a name and version in its own package.json and runs on nodejs", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const pkg = require("./package.json") as { name: string; version: string };
        expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(require("node:fs").readFileSync(require("node:path").join(__dirname, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    });
});
