import { describeObject } from "./errors";
import { endpointProblems, normalizeFingerprint, resolveEndpoint } from "./endpoint";

describe("endpoints", () => {
    it("defaults to the local socket and splits https URLs, port 8443 by default", () => {
        expect(resolveEndpoint({})).toEqual({ kind: "unix", url: "unix:///var/lib/lxd/unix.socket", socketPath: "/var/lib/lxd/unix.socket" });
        const creds = { clientCertificate: "-----BEGIN CERTIFICATE-----", clientKey: "-----BEGIN PRIVATE KEY-----" };
        expect(resolveEndpoint({ url: "https://[::1]", ...creds, serverFingerprint: "AB".repeat(32) })).toMatchObject({
            kind: "https",
            host: "::1",
            port: 8443,
            serverFingerprint: "ab".repeat(32),
        });
    });

    it("compares fingerprints in LXD's form whatever way they were written", () => {
        expect(normalizeFingerprint("AB:CD:0f")).toBe("abcd0f");
    });

    it("lists every problem of an https endpoint at once", () => {
        expect(endpointProblems({ url: "https://h:8443" }).map((p) => p.field)).toEqual(["clientCertificate", "clientKey", "serverFingerprint"]);
        expect(() => resolveEndpoint({ url: "tcp://h" })).toThrow(/LXD endpoint tcp:\/\/h: url: "tcp:\/\/h" is neither/);
    });

    it("names API objects the way errors should", () => {
        expect(describeObject("/1.0/instances/c1/state")).toBe("instance c1");
        expect(describeObject("/1.0/images/aliases/bcm-base")).toBe("image alias bcm-base");
        expect(describeObject("/1.0/storage-pools/default?recursion=1")).toBe("storage pool default");
        expect(describeObject("/1.0")).toBe("the server");
        expect(describeObject("/1.0/networks")).toBe("networks");
    });
});
