import fc from "fast-check";
import { editDistance, nearest } from "./nearest";
import { readDataCenterSpec } from "./dataCenterSpec";
import { knownStackKeys, readClusterStackConfig, validateDockerSocketDir } from "./stackConfig";

const base = {
    "bcm:endpoints": JSON.stringify([{ name: "local", mode: "local" }]),
    "bcm:tiers": JSON.stringify({ gateway: {}, kafka: {} }),
    "bcm:tor": JSON.stringify({ network: "offline" }),
};
const fails = (extra: Record<string, string | undefined>) => {
    const all = Object.fromEntries(Object.entries({ ...base, ...extra }).filter(([, v]) => v !== undefined)) as Record<string, string>;
    try {
        readClusterStackConfig(all);
    } catch (e) {
        return (e as Error).message;
    }
    throw new Error("no error");
};

describe("the cluster stack's config, read in one pass", () => {
    it("reads a good config", () => {
        const c = readClusterStackConfig({ ...base, "bcm:dockerSocketDir": "/root/.bcm/sockets/x", "bcm:dockerImages": JSON.stringify({ tor: "bcm/tor:abc123" }) });
        expect(c.endpoints).toHaveLength(1);
        expect(c.dataCenter?.tiers.map((t) => t.name)).toEqual(["gateway", "kafka"]);
        expect(c.dockerImages).toEqual({ tor: "bcm/tor:abc123" });
    });

    it("knows every key the data center's reader asks for (a key read but not known would refuse every stack that sets it)", () => {
        const asked = new Set<string>();
        const read = () =>
            readDataCenterSpec((k) => {
                asked.add(k);
                return { tiers: JSON.stringify({ gateway: {}, kafka: {}, bitcoin: {} }), tor: JSON.stringify({ network: "offline" }) }[k];
            });
        // Every tier, so every key is asked for (the bitcoin tier's certificate is missing here: the one error).
        expect(read).toThrow(/^bcm:controllerKey: missing/);
        expect([...asked].filter((k) => !knownStackKeys().includes(k))).toEqual([]);
        expect(asked.has("snapshots")).toBe(true);
        expect(() => readClusterStackConfig({ ...base, "bcm:snapshots": JSON.stringify({ enabled: false }) })).not.toThrow();
    });

    it("names a misspelled key's nearest known key", () => {
        expect(fails({ "bcm:chian": "regtest" })).toBe("bcm:chian: unknown key; did you mean bcm:chain?");
        expect(fails({ "bcm:teirs": "{}" })).toMatch(/^bcm:teirs: unknown key; did you mean bcm:tiers\?/);
        expect(fails({ "bcm:zzzzzzzzzzzz": "1" })).toMatch(/^bcm:zzzzzzzzzzzz: unknown key; known: endpoints, images/);
        // Other namespaces are not the program's.
        expect(readClusterStackConfig({ ...base, "other:x": "1" }).endpoints).toHaveLength(1);
    });

    it("refuses reserved tier names, min above max and placements the endpoints cannot meet", () => {
        expect(fails({ "bcm:tiers": JSON.stringify({ gateway: {}, egress: {} }) })).toBe('bcm:tiers.egress: "egress" is reserved (the gateway\'s network bcm-egress); name the tier otherwise');
        expect(fails({ "bcm:tiers": JSON.stringify({ gateway: {}, kafka: { min: 3, max: 2 } }) })).toBe("bcm:tiers.kafka.min: 3 is above max 2; lower min or raise max");
        expect(fails({ "bcm:tiers": JSON.stringify({ gateway: {}, kafka: { min: 2 } }) })).toMatch(/^bcm:tiers\.kafka\.min: needs at least 2 endpoint\(s\) but the cluster has 1/);
        expect(fails({ "bcm:tiers": JSON.stringify({ gateway: { mni: 1 } }) })).toBe("bcm:tiers.gateway.mni: unknown key; did you mean min?");
    });

    it("checks bcm:dockerImages and bcm:dockerSocketDir", () => {
        expect(fails({ "bcm:dockerImages": "[]" })).toMatch(/^bcm:dockerImages: must be an object/);
        expect(fails({ "bcm:dockerImages": JSON.stringify({ tor: "Not A Ref!" }) })).toMatch(/^bcm:dockerImages\.tor: "Not A Ref!" is not an image reference/);
        expect(fails({ "bcm:dockerSocketDir": "relative/dir" })).toMatch(/^bcm:dockerSocketDir: "relative\/dir" must be an absolute path/);
        expect(fails({ "bcm:dockerSocketDir": `/${"d".repeat(100)}` })).toMatch(/^bcm:dockerSocketDir: .* is too long for a unix socket/);
    });

    it("names unknown keys inside the JSON settings", () => {
        expect(fails({ "bcm:tor": JSON.stringify({ network: "offline", dirAuthorites: [] }) })).toMatch(/^bcm:tor\.dirAuthorites: unknown key/);
        expect(fails({ "bcm:images": JSON.stringify({ "bcm-base": { metadataPath: "/a", rootfsPath: "/b" }, "bcm-template": { metadataPath: "/a", rootfsPath: "/b", rootPath: "/c" } }) })).toMatch(
            /bcm:images\.bcm-template\.rootPath: unknown key; did you mean rootfsPath\?/,
        );
    });

    it("reports every problem in one line", () => {
        const m = fails({ "bcm:chian": "x", "bcm:chain": "moonnet", "bcm:tor": undefined });
        expect(m.split("\n")).toHaveLength(1);
        expect(m).toContain("bcm:chian");
        expect(m).toContain('bcm:chain: "moonnet"');
        expect(m).toContain("bcm:tor: missing");
    });

    it("suggests a key only when it is close, and always the exact key for a one-letter slip", () => {
        fc.assert(
            fc.property(fc.constantFrom(...knownStackKeys()), fc.nat(), fc.constantFrom("drop", "swap", "double"), (key, at, how) => {
                const i = at % key.length;
                const typo =
                    how === "drop" ? key.slice(0, i) + key.slice(i + 1) : how === "double" ? key.slice(0, i) + key[i] + key.slice(i) : i + 1 < key.length ? key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2) : key + "x";
                if (typo === key || knownStackKeys().includes(typo)) return;
                expect(editDistance(typo, key)).toBe(1);
                expect(nearest(typo, knownStackKeys())).toBe(key);
            }),
        );
        expect(nearest("completelydifferent", knownStackKeys())).toBeUndefined();
    });

    it("accepts a socket directory whose socket fits", () => {
        const problems: string[] = [];
        expect(validateDockerSocketDir("/root/.bcm/sockets/standalone", problems)).toBe("/root/.bcm/sockets/standalone");
        expect(problems).toEqual([]);
    });
});
