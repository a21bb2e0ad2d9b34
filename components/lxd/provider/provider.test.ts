import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { FakeLxd, envelope } from "../../testing/fakeLxd";
import { LxdProvider, providerVersion, urnType } from "./provider";

const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
const profileUrn = "urn:pulumi:dev::bcm::bcm:lxd:LxdEndpoint$lxd:index:Profile::p";

describe("the provider's shared plumbing", () => {
    const provider = new LxdProvider();

    it("serves the project's version and dispatches on the URN's own type", () => {
        expect(providerVersion).toBe(require("../../../package.json").version);
        expect(urnType(profileUrn)).toBe("lxd:index:Profile");
        expect(urnType("urn:pulumi:dev::bcm::lxd:index:Instance::web")).toBe("lxd:index:Instance");
    });

    it("keeps the program's secrets secret in checked inputs, and the client key secret even when given plain", async () => {
        const pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----";
        const key = "-----BEGIN EC PRIVATE KEY-----\nk\n-----END EC PRIVATE KEY-----";
        const { inputs, failures } = await provider.check(profileUrn, {}, {
            name: "p",
            config: { "user.token": secret("t0ken") },
            endpoint: { url: "https://127.0.0.1:8443", clientCertificate: pem, clientKey: key, serverFingerprint: "a".repeat(64) },
        });
        expect(failures).toEqual([]);
        expect(inputs.config).toEqual({ "user.token": secret("t0ken") });
        expect(inputs.endpoint.clientKey).toEqual(secret(key));
        expect(inputs.endpoint.clientCertificate).toBe(pem);
    });

    it("refuses types it does not have, naming the ones it has", async () => {
        await expect(provider.check("urn:pulumi:dev::bcm::lxd:index:Volume::v", {}, {})).rejects.toThrow(
            /no resource type lxd:index:Volume \(it has lxd:index:Instance, lxd:index:Profile/,
        );
    });

    it("reports an object that is gone with an empty id, so refresh drops it from the state", async () => {
        const fake = await FakeLxd.start((r) =>
            r.path === "/1.0" ? envelope.sync({ auth: "trusted", api_extensions: [] }) : envelope.error(404, "Profile not found"),
        );
        try {
            await expect(provider.read("p", profileUrn, { name: "p", endpoint: { url: fake.url } })).resolves.toEqual({ id: "", props: {} });
        } finally {
            await fake.stop();
        }
    });

    it("names the endpoint field to fix when the daemon cannot be reached", async () => {
        await expect(provider.delete("p", profileUrn, { endpoint: { url: "unix:///nonexistent/unix.socket" } })).rejects.toThrow(
            /^endpoint\.url: cannot reach LXD at unix:\/\/\/nonexistent\/unix\.socket: connect ENOENT .*is LXD running/,
        );
    });
});
