import { adoptProfile } from "./profile";

describe("a profile that already exists, met by a create", () => {
    const wanted = { name: "bcm-docker", description: "BCM system containers (dockerd inside): cluster c1", config: { "user.bcm.cluster": "c1" } };
    const live = (config: Record<string, string>, description = "") => ({ name: "bcm-docker", description, config });
    it("is taken over when it carries this cluster's identity", () => {
        expect(adoptProfile(live({ "user.bcm.cluster": "c1", "limits.cpu": "1" }), wanted)).toBe(true);
    });
    it("is taken over, made before profiles carried the identity, when its description is exactly BCM's for this cluster", () => {
        expect(adoptProfile(live({}, wanted.description), wanted)).toBe(true);
        expect(adoptProfile(live({}, "BCM system containers (dockerd inside): cluster c2"), wanted)).toBe(false);
        expect(adoptProfile(live({}, ""), { ...wanted, description: "" })).toBe(false);
    });
    it("is refused when it is another cluster's, even with the same description", () => {
        expect(adoptProfile(live({ "user.bcm.cluster": "c2" }, wanted.description), wanted)).toBe(false);
    });
});
