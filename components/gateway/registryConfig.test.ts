import { htpasswdLine, htpasswdPath, registryConfig } from "./registryConfig";

describe("the private registry's configurations", () => {
    it("serves pulls read-only without credentials, takes pushes only with them, and deletes nothing", () => {
        const pull = registryConfig("pull");
        const push = registryConfig("push");
        for (const c of [pull, push]) expect(c).toMatch(/  delete:\n    enabled: false\n/);
        expect(pull).toMatch(/    readonly:\n      enabled: true\n/);
        expect(pull).not.toMatch(/^auth:/m);
        expect(push).toMatch(/    readonly:\n      enabled: false\n/);
        // distribution refuses to start with an uploadpurging section that lacks any field.
        expect(push).toMatch(/    uploadpurging:\n      enabled: true\n      age: 168h\n      interval: 24h\n      dryrun: false\n/);
        expect(push).toContain(`auth:\n  htpasswd:\n    realm: bcm-registry\n    path: ${htpasswdPath}\n`);
    });

    it("writes bcrypt htpasswd lines only", () => {
        const hash = "$2a$10$" + "a".repeat(53);
        expect(htpasswdLine("bcm", hash)).toBe(`bcm:${hash}\n`);
        expect(() => htpasswdLine("bcm", "{SHA}abc")).toThrow(/not bcrypt/);
        expect(() => htpasswdLine("Bad User", hash)).toThrow(/registry user/);
    });
});
