import fc from "fast-check";
import { dockerTypes } from "../lib/docker";
import { computed, messages, runResourcePolicy } from "../testing/harness";
import { container, digest, mainnet, registry, regtest, service } from "../testing/fixtures";
import { imagesFromPrivateRegistry } from "./imagesFromPrivateRegistry";

const run = (r: Parameters<typeof runResourcePolicy>[1], settings = regtest) =>
    runResourcePolicy(imagesFromPrivateRegistry, r, settings);
const repo = fc.stringMatching(/^[a-z0-9]+(\/[a-z0-9]+){0,2}$/);
const tag = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

describe("images-from-private-registry", () => {
    it("passes private-registry images, tagged off mainnet and by digest on mainnet", async () => {
        await fc.assert(
            fc.asyncProperty(repo, tag, hex64, async (r, t, h) => {
                expect((await run(service({ image: `${registry}/${r}:${t}` }))).violations).toEqual([]);
                expect((await run(service({ image: `${registry}/${r}:${t}@sha256:${h}` }), mainnet)).violations).toEqual([]);
                expect((await run(service({ image: `${registry}/${r}@sha256:${h}` }), mainnet)).violations).toEqual([]);
            }),
        );
    });

    it("refuses any image from elsewhere, naming the service and the fix", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.constantFrom("", "docker.io/", "ghcr.io/", "127.0.0.1:5000/", "127.0.0.1:50100/", "127.0.0.1:5010.evil.example/"),
                repo,
                tag,
                async (prefix, r, t) => {
                    const image = `${prefix}${r}:${t}`;
                    const res = await run(service({ name: "tor", image }));
                    expect(messages(res)).toEqual([
                        `images-from-private-registry: service tor uses image ${image} (taskSpec.containerSpec.image), which does not come from the private registry ${registry}: ` +
                            `pulling from elsewhere leaves the Tor-only network; fix: push the image to ${registry} and use ${registry}/bcm/<name>:<version>`,
                    ]);
                },
            ),
        );
    });

    it("refuses tags without a digest on mainnet (also when chain is not set)", async () => {
        const image = `${registry}/bcm/tor:0.4.9`;
        expect(messages(await run(service({ image }), mainnet))[0]).toContain("without a digest on a mainnet stack: a tag can be moved to other content; fix: pin it by digest: 127.0.0.1:5010/bcm/<name>:<version>@sha256:<digest>");
        expect(messages(await run(service({ image }), { privateRegistry: registry }))).toHaveLength(1);
        expect(messages(await run(service({ image: `${registry}/bcm/tor@sha256:abc` }), mainnet))).toHaveLength(1);
    });

    it("refuses every image when no registry is configured", async () => {
        expect(messages(await run(service(), { chain: "regtest" }))[0]).toContain("the policy config names no privateRegistry");
    });

    it("checks containers and image pulls; a container may use a local image id", async () => {
        expect((await run(container({ image: digest }))).violations).toEqual([]);
        expect(messages(await run(container({ image: "alpine" })))[0]).toContain("container worker uses image alpine (image)");
        const pull = { type: dockerTypes.remoteImage, name: "tor", props: { name: "docker.io/library/tor:latest" } };
        expect(messages(await run(pull))[0]).toContain("image pull tor uses image docker.io/library/tor:latest (name)");
    });

    it("defers a computed image reference to the update", async () => {
        const r = await run(container({ image: computed }));
        expect(r.violations).toEqual([]);
        expect(r.deferred).toContain("image can't be known during preview");
    });
});
