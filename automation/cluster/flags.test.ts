import { endpointsFromFile, endpointsFromFlags } from "./flags";

describe("endpoint flags and files", () => {
    it("builds endpoints from --local and repeated --ssh", () => {
        const hostKeys = ["A", "B", "C"].map((c) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${c.repeat(43)}`);
        const specs = endpointsFromFlags({ local: true, ssh: ["root@10.0.0.2", "admin@node.example:2222", "root@10.0.0.2:23"], clientCert: "/c", clientKey: "/k", hostKeys });
        expect(specs.slice(1).map((s) => s.hostKey)).toEqual(hostKeys);
        expect(specs.map((s) => [s.name, s.mode, s.user, s.host, s.port])).toEqual([
            ["local", "local", undefined, undefined, undefined],
            ["10-0-0-2", "ssh", "root", "10.0.0.2", 22],
            ["node", "ssh", "admin", "node.example", 2222],
            ["10-0-0-2-2", "ssh", "root", "10.0.0.2", 23],
        ]);
    });

    it("names the flag when something is missing", () => {
        expect(() => endpointsFromFlags({ ssh: [] })).toThrow(/^no endpoints: give --local, --ssh/);
        expect(() => endpointsFromFlags({ ssh: ["root@h"] })).toThrow(/^--ssh: give both --client-cert and --client-key, or neither/);
        expect(() => endpointsFromFlags({ ssh: ["root@h"], clientCert: "/c", clientKey: "/k" })).toThrow(/^endpoints\[0\]\.hostKey: missing; pin the host's SSH key/);
        expect(() => endpointsFromFlags({ local: true, ssh: [], sshKey: "/k" })).toThrow(/^--ssh-key: only with --ssh/);
    });

    it("reads {endpoints} or a bare list from a file", () => {
        expect(endpointsFromFile('{"endpoints":[{"name":"local","mode":"local"}]}', "c.json")).toEqual([{ name: "local", mode: "local" }]);
        expect(endpointsFromFile('[{"name":"local","mode":"local","profileConfig":{"limits.cpu":"2"}}]', "c.json")[0].profileConfig).toEqual({ "limits.cpu": "2" });
        // An unsafe profile is refused by the file reader itself, before any engine starts.
        expect(() => endpointsFromFile('[{"name":"local","mode":"local","profileConfig":{"security.privileged":"true"}}]', "c.json")).toThrow(
            /^c\.json: endpoints\[0\]\.profileConfig\["security\.privileged"\]: sets config security\.privileged=true/,
        );
        expect(() => endpointsFromFile("{", "c.json")).toThrow(/^--file c\.json: not JSON/);
        expect(() => endpointsFromFile("{}", "c.json")).toThrow(/^c\.json: endpoints: must be a list/);
    });
});
