import fc from "fast-check";
import { place, PlacementError, swarmRole, systemContainerName } from "./placement";

const endpoints = fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 0, maxLength: 12 });

describe("tier placement", () => {
    it("places on every endpoint by default, in the cluster's order", () => {
        fc.assert(
            fc.property(endpoints.filter((e) => e.length > 0), (eps) => {
                expect(place("kafka", eps)).toEqual(eps);
            }),
        );
    });

    it("takes the first N, never more than max, and keeps a prefix of the cluster's order", () => {
        fc.assert(
            fc.property(endpoints, fc.nat(10), fc.option(fc.nat(10), { nil: undefined }), (eps, first, max) => {
                let chosen: string[];
                try {
                    chosen = place("gateway", eps, { first, max, min: 0 });
                } catch (e) {
                    expect(e).toBeInstanceOf(PlacementError);
                    return;
                }
                expect(chosen).toEqual(eps.slice(0, chosen.length));
                expect(chosen.length).toBe(Math.min(eps.length, first, max ?? Infinity));
            }),
        );
    });

    it("adding an endpoint never moves a container already placed", () => {
        fc.assert(
            fc.property(endpoints, fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 6 }), (eps, extra, first) => {
                const before = place("zk", eps, { first, min: 0 });
                const after = place("zk", [...eps, extra], { first, min: 0 });
                expect(after.slice(0, before.length)).toEqual(before);
            }),
        );
    });

    it("fails with the fix when the cluster is too small or the rule is impossible", () => {
        expect(() => place("schema-registry", ["a"], { min: 2 })).toThrow(
            /tier schema-registry needs at least 2 endpoint\(s\) but the cluster has 1: add endpoints/,
        );
        expect(() => place("t", [], {})).toThrow(/needs at least 1/);
        expect(() => place("t", ["a"], { min: 3, max: 2 })).toThrow(/min 3 is above max 2/);
        expect(() => place("t", ["a"], { first: 1.5 })).toThrow(/"first" must be a whole number/);
    });

    it("names containers bcm-<tier>-NN and makes the first five gateways managers", () => {
        expect(systemContainerName("gateway", 0)).toBe("bcm-gateway-01");
        expect(systemContainerName("bitcoin-regtest", 11)).toBe("bcm-bitcoin-regtest-12");
        // Past 99 the number just grows: the names of the first 99 never change.
        expect(systemContainerName("kafka", 98)).toBe("bcm-kafka-99");
        expect(systemContainerName("kafka", 99)).toBe("bcm-kafka-100");
        expect(() => systemContainerName("kafka", 999)).toThrow(/out of range 0\.\.998/);
        expect(() => systemContainerName("Gateway", 0)).toThrow(/lower-case/);
        expect([0, 1, 2, 3, 4, 5, 6].map((i) => swarmRole(i))).toEqual([
            "manager", "manager", "manager", "manager", "manager", "worker", "worker",
        ]);
    });
});
