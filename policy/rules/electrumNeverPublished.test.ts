import fc from "fast-check";
import { computed, messages, runResourcePolicy } from "../testing/harness";
import { container, regtest, registry, digest, service } from "../testing/fixtures";
import { electrumNeverPublished, electrumPorts } from "./electrumNeverPublished";

const electrumImage = `${registry}/bcm/electrum:cf779793c94827a8@${digest}`;
const ordinaryPort = fc.integer({ min: 1024, max: 65535 }).filter((p) => !electrumPorts.has(p));

describe("electrum-never-published", () => {
    const run = (r: Parameters<typeof runResourcePolicy>[1], publishedPorts: { service: string; port: number }[] = []) =>
        runResourcePolicy(electrumNeverPublished, r, { ...regtest, publishedPorts });

    it("passes the Electrum server on its overlay only, and other services publishing other ports", async () => {
        expect((await run(service({ name: "electrum-regtest", image: electrumImage }))).violations).toEqual([]);
        await fc.assert(
            fc.asyncProperty(ordinaryPort, ordinaryPort, async (published, target) => {
                expect((await run(service({ name: "registry", ports: [[published, target]] }))).violations).toEqual([]);
            }),
        );
    });

    it("refuses any port the Electrum server publishes, known by its name or its image, whatever publishedPorts declares", async () => {
        await fc.assert(
            fc.asyncProperty(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), fc.boolean(), async (published, target, byImage) => {
                const spec = byImage ? { name: "wallet-server", image: electrumImage } : { name: "electrum-mainnet" };
                const r = await run(service({ ...spec, ports: [[published, target]] }), [{ service: spec.name, port: published }]);
                expect(r.violations).toHaveLength(1);
                expect(r.violations[0].level).toBe("mandatory");
                expect(r.violations[0].message).toBe(
                    `electrum-never-published: service ${spec.name} is an Electrum server and publishes ${published} on the host: ` +
                        "an Electrum server tells whoever asks which addresses are watched; wallets reach it only through its onion service with client authorization; " +
                        `fix: remove endpointSpec.ports entry ${published} (publishedPorts cannot allow it); wallets connect through the onion service (\`bcm electrum connect\`)`,
                );
            }),
        );
        expect(messages(await run(service({ name: "electrum", ports: [[undefined, 50001]] })))[0]).toContain("is an Electrum server and publishes its port 50001 on the host");
        expect(messages(await run(container({ image: electrumImage, publishAllPorts: true })))[0]).toContain("container worker is an Electrum server and publishes its ports");
    });

    it("refuses the Electrum ports on any service or container, as host or container port", async () => {
        expect(messages(await run(service({ name: "web", ports: [[50001, 8000]] })))[0]).toContain("service web publishes 50001 (Electrum TCP) on the host");
        expect(messages(await run(service({ name: "web", ports: [[9000, 50002]] })))[0]).toContain("service web publishes 50002 (Electrum TLS) on the host");
        expect(messages(await run(container({ ports: [{ internal: 50001, external: 7001 }] })))[0]).toContain("container worker publishes 50001 (Electrum TCP)");
    });

    it("decides by name while the image is not known yet (preview)", async () => {
        const r = await run({ ...service({ name: "electrum-regtest", ports: [[7000, 7000]] }), props: { ...service({ name: "electrum-regtest", ports: [[7000, 7000]] }).props, taskSpec: { containerSpec: { image: computed } } } });
        expect(messages(r)).toHaveLength(1);
        const unnamed = service({ name: "app", ports: [[7000, 7000]] });
        expect((await run({ ...unnamed, props: { ...unnamed.props, taskSpec: { containerSpec: { image: computed } } } })).violations).toEqual([]);
    });
});
