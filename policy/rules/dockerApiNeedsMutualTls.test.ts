import fc from "fast-check";
import { computed, messages, runResourcePolicy } from "../testing/harness";
import { dockerProvider, instance, profile, regtest } from "../testing/fixtures";
import { connectsToDocker, dockerApiNeedsMutualTls, isTcpHost } from "./dockerApiNeedsMutualTls";

const run = (r: Parameters<typeof runResourcePolicy>[1]) => runResourcePolicy(dockerApiNeedsMutualTls, r, regtest);
const pem = "-----BEGIN CERTIFICATE-----\n...";

describe("docker-api-needs-mutual-tls", () => {
    it("passes ssh:// and unix:// hosts and hosts left to the default", async () => {
        for (const props of [{ host: "ssh://root@10.0.0.5" }, { host: "unix:///var/run/docker.sock" }, {}]) {
            expect((await run(dockerProvider(props))).violations).toEqual([]);
        }
    });

    it("passes TCP hosts with all three materials, or certPath, even when the key is computed", async () => {
        const full = { host: "tcp://10.0.0.5:2376", caMaterial: pem, certMaterial: pem, keyMaterial: computed };
        expect((await run(dockerProvider(full))).violations).toEqual([]);
        expect((await run(dockerProvider({ host: "https://10.0.0.5:2376", certPath: "/etc/bcm/tls" }))).violations).toEqual([]);
    });

    it("refuses any TCP host missing one of the materials, naming the missing ones", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.constantFrom("tcp", "http", "https", "TCP"),
                fc.subarray(["caMaterial", "certMaterial", "keyMaterial"], { maxLength: 2 }),
                fc.constantFrom(undefined, ""),
                async (scheme, given, certPath) => {
                    const props: Record<string, unknown> = { host: `${scheme}://10.0.0.5:2376` };
                    for (const k of given) {
                        props[k] = pem;
                    }
                    if (certPath !== undefined) {
                        props.certPath = certPath;
                    }
                    const r = await run(dockerProvider(props));
                    expect(r.violations).toHaveLength(1);
                    const missing = ["caMaterial", "certMaterial", "keyMaterial"].filter((k) => !given.includes(k));
                    expect(r.violations[0].message).toContain(`docker-api-needs-mutual-tls: docker provider tier reaches the Docker API at ${scheme}://10.0.0.5:2376 over TCP without mutual TLS (missing ${missing.join(", ")})`);
                    expect(r.violations[0].message).toContain("fix: set caMaterial, certMaterial and keyMaterial (or certPath)");
                },
            ),
        );
    });

    it("defers a host not known before deploy to the update", async () => {
        const r = await run(dockerProvider({ host: computed }));
        expect(r.violations).toEqual([]);
        expect(r.deferred).toMatch(/host can't be known during preview/);
    });

    it("refuses LXD proxy devices exposing a docker socket or port 2375 on TCP", async () => {
        const bad = [
            { type: "proxy", listen: "tcp:0.0.0.0:2375", connect: "unix:/var/run/docker.sock" },
            { type: "proxy", listen: "tcp:127.0.0.1:2376", connect: "unix:/run/docker.sock" },
            { type: "proxy", listen: "tcp:0.0.0.0:9999", connect: "tcp:127.0.0.1:2375" },
        ];
        for (const device of bad) {
            const r = await run(instance({ devices: { dockerapi: device } }));
            expect(messages(r)).toEqual([
                expect.stringMatching(/^docker-api-needs-mutual-tls: LXD instance bitcoin-01 has proxy device "dockerapi" that listens on tcp:.*fix: remove device "dockerapi"/),
            ]);
        }
        const computedListen = await run(profile({ devices: { d: { type: "proxy", listen: computed, connect: "unix:/var/run/docker.sock" } } }));
        // Not known during preview: deferred to the update, which checks it before the profile is made.
        expect(computedListen.violations).toEqual([]);
        expect(computedListen.deferred).toMatch(/can't be known during preview/);
        const computedConnect = await run(instance({ devices: { forward5010: { type: "proxy", listen: "tcp:127.0.0.1:5010", connect: computed } } }));
        expect(computedConnect.violations).toEqual([]);
        expect(computedConnect.deferred).toMatch(/can't be known during preview/);
    });

    it("passes proxies that listen on unix sockets or forward other services", async () => {
        const ok = {
            sock: { type: "proxy", listen: "unix:/run/bcm/docker.sock", connect: "unix:/var/run/docker.sock" },
            tor: { type: "proxy", listen: "tcp:127.0.0.1:9050", connect: "tcp:127.0.0.1:9050" },
            nic: { type: "nic", network: "lxdbr0" },
        };
        expect((await run(instance({ devices: ok }))).violations).toEqual([]);
    });

    it("classifies hosts and connect addresses", () => {
        expect(isTcpHost("tcp://h:2376")).toBe(true);
        expect(isTcpHost("ssh://h")).toBe(false);
        expect(connectsToDocker("unix:/var/snap/docker/docker.sock")).toBe(true);
        expect(connectsToDocker("tcp:127.0.0.1:2376")).toBe(false);
    });
});
