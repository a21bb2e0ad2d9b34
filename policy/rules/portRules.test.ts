import fc from "fast-check";
import { rpcPorts } from "../lib/ports";
import { messages, runResourcePolicy } from "../testing/harness";
import { container, instance, regtest, service } from "../testing/fixtures";
import { bitcoinRpcNeverPublished } from "./bitcoinRpcNeverPublished";
import { noUndeclaredPublishedPorts } from "./noUndeclaredPublishedPorts";

const rpc = [...rpcPorts.keys()];
/** Ports that are neither RPC ports nor privileged. */
const ordinaryPort = fc.integer({ min: 1024, max: 65535 }).filter((p) => !rpcPorts.has(p));

describe("no-undeclared-published-ports", () => {
    const run = (r: Parameters<typeof runResourcePolicy>[1], publishedPorts = [{ service: "tor", port: 9050 }]) =>
        runResourcePolicy(noUndeclaredPublishedPorts, r, { ...regtest, publishedPorts });

    it("passes services that publish nothing and declared ports (by Pulumi or docker name)", async () => {
        expect((await run(service())).violations).toEqual([]);
        expect((await run(service({ name: "tor", ports: [[9050, 9050]] }))).violations).toEqual([]);
        const autonamed = { ...service({ name: "tor-1a2b3c", ports: [[9050, 9050]] }), name: "tor" };
        expect((await run(autonamed)).violations).toEqual([]);
    });

    it("refuses any undeclared published port, naming the service, the port and the fix", async () => {
        await fc.assert(
            fc.asyncProperty(ordinaryPort, fc.integer({ min: 1, max: 65535 }), async (port, target) => {
                const r = await run(service({ name: "electrs", ports: [[port, target]] }));
                expect(messages(r)).toEqual([
                    `no-undeclared-published-ports: service electrs publishes ${port} on the host, which the stack does not declare; ` +
                        `fix: remove endpointSpec.ports entry ${port}, or declare it in the policy config: publishedPorts: [{ service: "electrs", port: ${port} }]`,
                ]);
                expect(r.violations[0].level).toBe("mandatory");
            }),
        );
    });

    it("refuses a port declared for another service", async () => {
        expect(messages(await run(service({ name: "electrs", ports: [[9050, 9050]] })))).toHaveLength(1);
    });

    it("refuses ports docker picks and publishAllPorts, which cannot be declared", async () => {
        expect(messages(await run(service({ name: "x", ports: [[undefined, 3000]] })))[0]).toContain(
            "publishes port 3000 on a host port docker picks (endpointSpec.ports entry with targetPort 3000)",
        );
        expect(messages(await run(container({ ports: [{ internal: 80 }] })))[0]).toContain("on a host port docker picks");
        expect(messages(await run(container({ publishAllPorts: true })))[0]).toContain("publishAllPorts");
    });

    it("checks container ports[].external against the declarations", async () => {
        expect((await run(container({ ports: [{ internal: 9050, external: 9050 }] }, "tor"))).violations).toEqual([]);
        expect(messages(await run(container({ ports: [{ internal: 80, external: 8081 }] })))[0]).toContain(
            "container worker publishes 8081 on the host",
        );
    });
});

describe("bitcoin-rpc-never-published", () => {
    const run = (r: Parameters<typeof runResourcePolicy>[1], publishedPorts: { service: string; port: number }[] = []) =>
        runResourcePolicy(bitcoinRpcNeverPublished, r, { ...regtest, publishedPorts });

    it("refuses every RPC port published on the host, whatever publishedPorts declares", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.constantFrom(...rpc),
                fc.integer({ min: 1, max: 65535 }),
                fc.boolean(),
                async (port, target, declare) => {
                    const r = await run(service({ ports: [[port, target]] }), declare ? [{ service: "bitcoind", port }] : []);
                    expect(r.violations).toHaveLength(1);
                    expect(r.violations[0].level).toBe("mandatory");
                    expect(r.violations[0].message).toContain(
                        `bitcoin-rpc-never-published: service bitcoind publishes ${port} (${rpcPorts.get(port)}) on the host: RPC must stay on the tier's overlay network; fix: remove endpointSpec.ports entry ${port}`,
                    );
                },
            ),
        );
    });

    it("refuses an RPC container port published on another host port", async () => {
        const r = await run(service({ ports: [[9999, 8332]] }));
        expect(messages(r)[0]).toContain("publishes its port 8332 (Bitcoin mainnet RPC) on host port 9999");
        expect(messages(await run(container({ ports: [{ internal: 10009 }] })))[0]).toContain("lnd gRPC");
    });

    it("lets 8080 inside a container through (every web server's default) but not on the host", async () => {
        expect((await run(service({ ports: [[9999, 8080]] }))).violations).toEqual([]);
        expect(messages(await run(service({ ports: [[8080, 80]] })))).toHaveLength(1);
    });

    it("passes services publishing other ports and services publishing nothing", async () => {
        await fc.assert(
            fc.asyncProperty(ordinaryPort, ordinaryPort.filter((p) => p !== 8080), async (port, target) => {
                expect((await run(service({ ports: [[port, target]] }))).violations).toEqual([]);
            }),
        );
        expect((await run(service())).violations).toEqual([]);
    });

    it("refuses LXD proxy devices listening on or forwarding to an RPC port", async () => {
        const listen = await run(instance({ devices: { rpc: { type: "proxy", listen: "tcp:0.0.0.0:8000-8400", connect: "tcp:127.0.0.1:80" } } }));
        expect(messages(listen)[0]).toMatch(/proxy device "rpc" .* exposing 8080 \(lnd REST\), 8332 \(Bitcoin mainnet RPC\), 8334/);
        const forward = await run(instance({ devices: { rpc: { type: "proxy", listen: "tcp:0.0.0.0:7000", connect: "tcp:127.0.0.1:18443" } } }));
        expect(messages(forward)[0]).toContain("18443 (Bitcoin regtest RPC)");
        const tor = await run(instance({ devices: { tor: { type: "proxy", listen: "tcp:127.0.0.1:9050", connect: "tcp:127.0.0.1:9050" } } }));
        expect(tor.violations).toEqual([]);
    });
});
