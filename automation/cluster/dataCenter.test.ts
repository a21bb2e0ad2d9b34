import { readDataCenterSpec } from "./dataCenter";

const authority =
    "auth0 orport=5000 no-v2 v3ident=0123456789ABCDEF0123456789ABCDEF01234567 10.218.0.1:7000 AAAA BBBB CCCC DDDD EEEE FFFF 0000 1111 2222 3333";
const cfg = (m: Record<string, string>) => (k: string) => m[k];

describe("data-center config of a cluster stack", () => {
    it("is absent without bcm:tiers (a bare cluster)", () => {
        expect(readDataCenterSpec(cfg({}))).toBeUndefined();
    });

    it("reads tiers with the gateway first, the chain, the Tor network and the encryption", () => {
        expect(
            readDataCenterSpec(
                cfg({
                    tiers: JSON.stringify({ apps: { max: 2 }, gateway: {} }),
                    tor: JSON.stringify({ network: "private", dirAuthorities: [`DirAuthority ${authority}`] }),
                    overlayEncryption: "off",
                }),
            ),
        ).toEqual({
            tiers: [
                { name: "gateway", placement: {} },
                { name: "apps", placement: { max: 2 } },
            ],
            chain: "regtest",
            tor: { network: "private", dirAuthorities: [authority] },
            overlayEncryption: "off",
        });
    });

    it("names every wrong key and its fix in one error", () => {
        expect(() =>
            readDataCenterSpec(
                cfg({
                    tiers: JSON.stringify({ kafka: { first: -1, spread: 2 }, "Bad Name": {} }),
                    chain: "main",
                    overlayEncryption: "maybe",
                    registryMirrorUpstream: "registry-1.docker.io",
                }),
            ),
        ).toThrow(
            new RegExp(
                [
                    'bcm:tiers: has no "gateway".*add "gateway": \\{\\}',
                    "bcm:tiers.kafka.first: must be a whole number",
                    "bcm:tiers.kafka.spread: unknown key",
                    "bcm:tiers.Bad Name: a tier name",
                    'bcm:chain: "main" is not one of regtest, signet, testnet, mainnet',
                    "bcm:tor: missing; say which Tor network",
                    'bcm:overlayEncryption: "maybe"',
                    "bcm:registryMirrorUpstream: .* is not an http\\(s\\) URL",
                ].join(".*"),
            ),
        );
    });

    it("refuses a private Tor network without real DirAuthority lines", () => {
        const tiers = JSON.stringify({ gateway: {} });
        expect(() => readDataCenterSpec(cfg({ tiers, tor: '{"network":"private"}' }))).toThrow(/bcm:tor.dirAuthorities: a private network needs/);
        expect(() => readDataCenterSpec(cfg({ tiers, tor: '{"network":"private","dirAuthorities":["nonsense"]}' }))).toThrow(/dirAuthorities\[0\]: "nonsense" is not a DirAuthority line/);
        expect(() => readDataCenterSpec(cfg({ tiers, tor: '{"network":"onion"}' }))).toThrow(/bcm:tor.network: "onion" is not public, offline or private/);
        expect(() => readDataCenterSpec(cfg({ tiers, tor: "{network" }))).toThrow(/bcm:tor: is not JSON/);
    });
});
