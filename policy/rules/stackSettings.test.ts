import fc from "fast-check";
import { advisoryPolicyNames, mandatoryPolicyNames } from "../names";
import { chains } from "../settings";
import { messages, runResourcePolicy, runStackPolicy } from "../testing/harness";
import { container, registry, regtest, service } from "../testing/fixtures";
import { mainnetNeedsHardwareDevice } from "./mainnetNeedsHardwareDevice";
import { onlyAdvisoryPoliciesRelaxed } from "./onlyAdvisoryPoliciesRelaxed";
import { pinnedImageTags } from "./pinnedImageTags";
import { resourceLimitsSet } from "./resourceLimitsSet";

describe("mainnet-needs-hardware-device", () => {
    it("passes mainnet with the Trezor and any device on test chains", async () => {
        expect((await runStackPolicy(mainnetNeedsHardwareDevice, [], { chain: "mainnet", device: "trezor" })).violations).toEqual([]);
        for (const chain of chains.filter((c) => c !== "mainnet")) {
            for (const device of ["mnemonic", "emulator", "trezor", undefined] as const) {
                expect((await runStackPolicy(mainnetNeedsHardwareDevice, [], { chain, device })).violations).toEqual([]);
            }
        }
    });

    it("refuses mainnet (or an unset chain) without the Trezor, naming the stack and the fix", async () => {
        for (const config of [{ chain: "mainnet" as const, device: "mnemonic" as const }, { chain: "mainnet" as const, device: "emulator" as const }, { device: "mnemonic" as const }, {}]) {
            const r = await runStackPolicy(mainnetNeedsHardwareDevice, [], config);
            expect(r.violations).toHaveLength(1);
            expect(r.violations[0].level).toBe("mandatory");
            expect(r.violations[0].message).toMatch(
                /^mainnet-needs-hardware-device: stack test is a mainnet stack but its secrets device is .*: mainnet stack secrets must come from the Trezor; fix: deploy with the Trezor connected over USB or Trezor Bridge/,
            );
        }
    });
});

describe("only-advisory-policies-relaxed", () => {
    it("reports each relaxed advisory policy with its reason under that policy's name, as advisory", async () => {
        const r = await runStackPolicy(onlyAdvisoryPoliciesRelaxed, [], { ...regtest, relaxed: { "resource-limits-set": "lab machine, 2 GB RAM" } });
        expect(r.violations).toEqual([
            {
                policy: "resource-limits-set",
                level: "advisory",
                message:
                    'resource-limits-set: relaxed: lab machine, 2 GB RAM (advisory policy off for stack test; fix: remove relaxed["resource-limits-set"] from the policy config to turn it back on)',
                urn: undefined,
            },
        ]);
    });

    it("refuses relaxing any mandatory policy, naming it", async () => {
        await fc.assert(
            fc.asyncProperty(fc.constantFrom(...mandatoryPolicyNames), fc.string({ minLength: 1 }).filter((s) => s.trim() !== ""), async (policy, reason) => {
                const r = await runStackPolicy(onlyAdvisoryPoliciesRelaxed, [], { ...regtest, relaxed: { [policy]: reason } });
                expect(r.violations).toHaveLength(1);
                expect(r.violations[0].level).toBe("mandatory");
                expect(r.violations[0].message).toContain(`only-advisory-policies-relaxed: policy config relaxes mandatory policy ${policy} (`);
                expect(r.violations[0].message).toContain(`fix: remove relaxed["${policy}"] from the policy config`);
            }),
        );
    });

    it("notes unknown policy names and RPC ports in publishedPorts as advisory", async () => {
        const r = await runStackPolicy(onlyAdvisoryPoliciesRelaxed, [], {
            ...regtest,
            relaxed: { "resource-limit-set": "typo" },
            publishedPorts: [{ service: "bitcoind", port: 8332 }],
        });
        expect(r.violations.map((v) => v.level)).toEqual(["advisory", "advisory"]);
        expect(messages(r)[0]).toContain('relaxes "resource-limit-set", which is no policy of this pack');
        expect(messages(r)[1]).toContain("an RPC port (Bitcoin mainnet RPC) that bitcoin-rpc-never-published refuses anyway");
    });

    it("says nothing when nothing is relaxed", async () => {
        expect((await runStackPolicy(onlyAdvisoryPoliciesRelaxed, [], regtest)).violations).toEqual([]);
    });
});

describe("advisory policies", () => {
    it("resource-limits-set warns about services and containers without limits, at the configured level", async () => {
        const r = await runResourcePolicy(resourceLimitsSet, service({ limits: false }), regtest);
        expect(r.violations).toEqual([
            expect.objectContaining({
                level: "advisory",
                message: expect.stringMatching(/^resource-limits-set: service bitcoind sets no resource limits: .*; fix: set taskSpec.resources.limits.memoryBytes and nanoCpus/),
            }),
        ]);
        expect((await runResourcePolicy(resourceLimitsSet, service(), regtest)).violations).toEqual([]);
        expect(messages(await runResourcePolicy(resourceLimitsSet, container({ memory: 0 }), regtest))).toHaveLength(1);
        expect(messages(await runResourcePolicy(resourceLimitsSet, container({ memory: 0, cpus: "0.5" }), regtest))).toHaveLength(0);
    });

    it("pinned-image-tags warns about latest and untagged images off mainnet only", async () => {
        for (const image of [`${registry}/bcm/tor`, `${registry}/bcm/tor:latest`]) {
            expect(messages(await runResourcePolicy(pinnedImageTags, service({ image }), regtest))[0]).toMatch(/^pinned-image-tags: service bitcoind uses image .* fix: pin a version tag or a digest/);
            expect((await runResourcePolicy(pinnedImageTags, service({ image }), { ...regtest, chain: "mainnet" })).violations).toEqual([]);
        }
        expect((await runResourcePolicy(pinnedImageTags, service({ image: `${registry}/bcm/tor:0.4.9` }), regtest)).violations).toEqual([]);
    });

    it("step aside when relaxed, with the reason as the not-applicable reason", async () => {
        for (const [policy, resource] of [[resourceLimitsSet, service({ limits: false })], [pinnedImageTags, service({ image: "x:latest" })]] as const) {
            const r = await runResourcePolicy(policy, resource, { ...regtest, relaxed: { [policy.name]: "because" } });
            expect(r.violations).toEqual([]);
            expect(r.notApplicable).toBe("relaxed: because");
        }
        expect(advisoryPolicyNames).toEqual(["resource-limits-set", "pinned-image-tags"]);
    });
});
