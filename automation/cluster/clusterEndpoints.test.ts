import { clusterEndpoints } from "./clusterEndpoints";
import { EndpointSpec } from "../../components/datacenter/spec";

const specs: EndpointSpec[] = [
    { name: "local", mode: "local" },
    { name: "far", mode: "ssh", host: "10.0.0.7", clientCertificatePath: "/c", clientKeyPath: "/k" },
];

describe("the endpoints maintenance reaches", () => {
    it("are the exported ones when the stack has outputs", () => {
        const exported = [{ name: "local", mode: "local" as const, url: "unix:///x.sock" }];
        expect(clusterEndpoints(exported, specs, [{ type: "lxd:index:Instance", inputs: {} }])).toBe(exported);
    });

    it("come from the state's LXD resources and the config when a killed run wrote no outputs", () => {
        const resources = [
            { type: "pulumi:pulumi:Stack" },
            { type: "lxd:index:Instance", inputs: { name: "bcm-gateway-01" } },
            { type: "lxd:index:StorageVolume", inputs: { endpoint: { url: "https://10.0.0.7:8443", serverFingerprint: "ab" } } },
            { type: "lxd:index:Profile", inputs: { endpoint: { ciphertext: "v1:…" } } },
            { type: "docker:index/service:Service", inputs: { endpoint: { url: "https://nowhere:1" } } },
        ];
        expect(clusterEndpoints([], specs, resources)).toEqual([
            { name: "local", mode: "local", url: "unix:///var/lib/lxd/unix.socket" },
            { name: "far", mode: "ssh", url: "https://10.0.0.7:8443", serverFingerprint: "ab" },
        ]);
    });

    it("still names the local daemon of a cluster whose state holds nothing yet", () => {
        expect(clusterEndpoints([], [{ name: "here", mode: "local", socketPath: "/run/lxd.sock" }], [])).toEqual([{ name: "here", mode: "local", url: "unix:///run/lxd.sock" }]);
    });
});
