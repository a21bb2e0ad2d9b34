import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { imageHandler } from "./image";
import { instanceHandler } from "./instance";
import { networkHandler } from "./network";
import { profileHandler } from "./profile";
import { storagePoolHandler } from "./storagePool";

const urn = (type: string, name: string) => `urn:pulumi:dev::bcm::lxd:index:${type}::${name}`;
const reasons = (failures: { property: string; reason: string }[]) => failures.map((f) => f.reason);

describe("check: inputs validated before anything reaches LXD", () => {
    it("fills an instance's defaults and an auto-name from the resource name", async () => {
        const { inputs, failures } = await instanceHandler.check(urn("Instance", "Web_Server"), {}, { image: "bcm-base" });
        expect(failures).toEqual([]);
        expect(inputs).toMatchObject({
            image: "bcm-base",
            type: "container",
            profiles: ["default"],
            config: {},
            devices: {},
            running: true,
            ephemeral: false,
            endpoint: { url: "unix:///var/lib/lxd/unix.socket" },
        });
        expect(inputs.name).toMatch(/^web-server-[0-9a-f]{8}$/);
    });

    it("keeps the auto-name it gave before, so a resource is not replaced on every run", async () => {
        const { inputs } = await instanceHandler.check(urn("Instance", "web"), { name: "web-1234abcd" }, { image: "bcm-base" });
        expect(inputs.name).toBe("web-1234abcd");
    });

    it("names each bad field and what to write instead", async () => {
        const { failures } = await instanceHandler.check(urn("Instance", "x"), {}, {
            name: "1bad_name",
            config: { "limits.cpu": 2, "security.nesting": true },
            devices: { web: { listen: "tcp:0.0.0.0:80" }, eth0: "nic" },
            running: false,
            ephemeral: true,
            profiles: "default",
            type: "vm",
        });
        expect(reasons(failures)).toEqual([
            expect.stringMatching(/^name: "1bad_name" is not valid: letters, digits and hyphens/),
            "image: is required (an image alias or fingerprint on the endpoint, e.g. an alias of an lxd:index:Image)",
            "ephemeral: an ephemeral instance is deleted when it stops, so it cannot have running: false",
            'type: "vm" is not one of "container", "virtual-machine"',
            'profiles: must be a list of strings, got "default"',
            'config["limits.cpu"]: must be a string (LXD stores every value as text): write "2"',
            'config["security.nesting"]: must be a string (LXD stores every value as text): write "true"',
            'devices["web"].type: is required: every device needs a type ("nic", "disk", "proxy" ...)',
            'devices["eth0"]: must be the device\'s properties with its type, e.g. { type: "nic", network: "lxdbr0" }, got "nic"',
        ]);
        expect(failures[0].property).toBe("name");
    });

    it("accepts proxy devices and checks waitForAddress", async () => {
        const { inputs, failures } = await instanceHandler.check(urn("Instance", "x"), {}, {
            image: "i",
            devices: { web: { type: "proxy", listen: "tcp:127.0.0.1:8080", connect: "tcp:127.0.0.1:80" } },
            waitForAddress: { family: "inet6" },
        });
        expect(failures).toEqual([]);
        expect(inputs.waitForAddress).toEqual({ interface: "eth0", family: "inet6", timeoutSeconds: 120 });
        const bad = await instanceHandler.check(urn("Instance", "x"), {}, { image: "i", running: false, waitForAddress: { family: "ip4", timeoutSeconds: -1 } });
        expect(reasons(bad.failures)).toEqual([
            'waitForAddress.family: must be "inet" or "inet6", got "ip4"',
            "waitForAddress.timeoutSeconds: must be a positive number of seconds, got -1",
            "waitForAddress: a stopped instance (running: false) gets no address; drop waitForAddress or run it",
        ]);
    });

    it("lets unknown values through during preview", async () => {
        const { failures } = await instanceHandler.check(urn("Instance", "x"), {}, {
            image: unknownValue,
            config: { "user.a": unknownValue },
            devices: unknownValue,
            endpoint: { url: unknownValue },
        });
        expect(failures).toEqual([]);
    });

    it("requires a pinned fingerprint and credentials for https endpoints", async () => {
        const { failures } = await profileHandler.check(urn("Profile", "p"), {}, { endpoint: { url: "https://10.0.0.5:8443", serverFingerprint: "AB:CD" } });
        expect(failures.map((f) => f.property)).toEqual(["endpoint.clientCertificate", "endpoint.clientKey", "endpoint.serverFingerprint"]);
        expect(failures[2].reason).toMatch(/SHA-256 fingerprint \(64 hex digits/);
        const typo = await profileHandler.check(urn("Profile", "p"), {}, { endpoint: { url: "http://h:8443" } });
        expect(reasons(typo.failures)).toEqual(['endpoint.url: "http://h:8443" is neither unix:///path/to/unix.socket nor https://host:port']);
    });

    it("refuses to create the default profile, and network names that cannot be interface names", async () => {
        expect(reasons((await profileHandler.check(urn("Profile", "p"), {}, { name: "default" })).failures)).toEqual([
            'name: the "default" profile exists on every server and cannot be created; use another name',
        ]);
        expect(reasons((await networkHandler.check(urn("Network", "n"), {}, { name: "a-very-long-bridge-name" })).failures)).toEqual([
            expect.stringMatching(/^name: "a-very-long-bridge-name" is not valid: it becomes a host interface name: at most 15/),
        ]);
        expect((await networkHandler.check(urn("Network", "n"), {}, { name: "bcmbr0" })).inputs).toMatchObject({ type: "bridge", config: {} });
        expect(reasons((await storagePoolHandler.check(urn("StoragePool", "s"), {}, { name: "p", driver: "ext4" })).failures)).toEqual([
            'driver: "ext4" is not one of "dir", "btrfs", "lvm", "zfs", "ceph", "cephfs"',
        ]);
    });

    it("needs an image's files to exist, and says how to get them", async () => {
        const { failures } = await imageHandler.check(urn("Image", "i"), {}, { metadataPath: "/nonexistent/m.tar.gz", rootfsPath: "/nonexistent/r.tar.gz" });
        expect(reasons(failures)).toEqual([
            "metadataPath: /nonexistent/m.tar.gz does not exist; build the image first (images/build.sh) or fix the path",
            "rootfsPath: /nonexistent/r.tar.gz does not exist; build the image first (images/build.sh) or fix the path",
        ]);
    });
});
