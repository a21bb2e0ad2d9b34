import fc from "fast-check";
import { SpecError } from "../../components/datacenter/spec";
import { checkTierName, tiersAfter } from "./stackOperations";

describe("tiers of a cluster", () => {
    const tier = fc.stringMatching(/^[a-z][a-z0-9]{0,15}$/);

    it("deploying a tier brings the gateway and keeps what is there", () => {
        fc.assert(
            fc.property(fc.dictionary(tier, fc.constant({})), tier, (current, t) => {
                const next = tiersAfter(current, "deploy", t)!;
                expect(Object.keys(next)).toEqual(expect.arrayContaining(["gateway", t, ...Object.keys(current)]));
                expect(Object.keys(next).length).toBe(new Set(["gateway", t, ...Object.keys(current)]).size);
            }),
        );
        expect(tiersAfter({ kafka: { first: 3 } }, "deploy", "kafka")).toEqual({ gateway: {}, kafka: { first: 3 } });
    });

    it("removes a tier; the gateway only last, and then the data center is gone", () => {
        expect(tiersAfter({ gateway: {}, apps: {} }, "remove", "apps")).toEqual({ gateway: {} });
        expect(tiersAfter({ gateway: {} }, "remove", "gateway")).toBeUndefined();
        expect(() => tiersAfter({ gateway: {}, apps: {} }, "remove", "gateway")).toThrow(/tier gateway carries apps: remove those first/);
        expect(() => tiersAfter({ gateway: {} }, "remove", "kafka")).toThrow(/tier kafka is not deployed on this cluster \(deployed: gateway\)/);
    });

    it("refuses bad tier names before any engine starts", () => {
        for (const bad of ["", "Gateway", "9x", "a-b", "x".repeat(17)]) {
            expect(() => checkTierName(bad)).toThrow(SpecError);
        }
    });
});
