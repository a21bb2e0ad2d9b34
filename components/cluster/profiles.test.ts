import fc from "fast-check";
import { dockerHostProfileConfig } from "./profiles";

describe("the docker-host profile", () => {
    it("is unprivileged with nesting, and limits what it is given", () => {
        expect(dockerHostProfileConfig()).toEqual({
            "security.privileged": "false",
            "security.nesting": "true",
            "limits.processes": "2000",
        });
        expect(dockerHostProfileConfig({ cpu: "2", memory: "4GiB", processes: 500 })).toMatchObject({
            "limits.cpu": "2",
            "limits.memory": "4GiB",
            "limits.processes": "500",
        });
    });

    it("never turns privileged mode on, whatever the limits", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), (cpus, gib) => {
                const config = dockerHostProfileConfig({ cpu: String(cpus), memory: `${gib}GiB` });
                expect(config["security.privileged"]).toBe("false");
                expect(config["security.nesting"]).toBe("true");
            }),
        );
    });

    it("names the bad limit and the fix", () => {
        expect(() => dockerHostProfileConfig({ cpu: "two" })).toThrow(/limits.cpu "two": give a CPU count/);
        expect(() => dockerHostProfileConfig({ memory: "4G" })).toThrow(/limits.memory "4G": give a size such as "2GiB"/);
        expect(() => dockerHostProfileConfig({ processes: 0 })).toThrow(/limits.processes 0/);
    });
});
