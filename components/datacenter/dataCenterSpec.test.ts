import { BitcoinSettings } from "../bitcoin/settings";
import { readDataCenterSpec } from "./dataCenterSpec";

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
            // regtest: nothing worth keeping; any other chain is kept unless the stack says otherwise.
            settings: { bitcoin: { implementation: "btcd", keepChainData: false, electrum: true, peers: [] }, kafka: { topics: [] } },
            snapshots: { enabled: true, keep: 3, healthSeconds: 300 },
        });
    });

    it("reads the bitcoin and kafka settings, and names each wrong one with its fix", () => {
        const base = {
            tiers: JSON.stringify({ gateway: {}, kafka: {}, bitcoin: {} }),
            tor: JSON.stringify({ network: "offline" }),
            controllerKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n",
        };
        const spec = readDataCenterSpec(
            cfg({
                ...base,
                bitcoin: JSON.stringify({ implementation: "bitcoind", image: "bcm/bitcoind:27.1-0123456789abcdef", keepChainData: false }),
                kafka: JSON.stringify({ topics: [{ name: "blocks", partitions: 3 }], heapMiB: 256 }),
            }),
        )!;
        expect(spec.settings.bitcoin).toEqual({ implementation: "bitcoind", image: "bcm/bitcoind:27.1-0123456789abcdef", keepChainData: false, electrum: true, peers: [] });
        expect((readDataCenterSpec(cfg({ ...base, chain: "signet" }))!.settings.bitcoin as BitcoinSettings).keepChainData).toBe(true);
        expect(spec.settings.kafka).toEqual({ topics: [{ name: "blocks", partitions: 3 }], heapMiB: 256 });
        expect(() => readDataCenterSpec(cfg({ ...base, bitcoin: JSON.stringify({ implementation: "bitcoind" }) }))).toThrow(
            /bcm:bitcoin\.image: bitcoind needs its image: build it from a verified Bitcoin Core release with images\/bitcoind\/build\.sh/,
        );
        expect(() => readDataCenterSpec(cfg({ ...base, bitcoin: JSON.stringify({ implementation: "core", keep: 1 }) }))).toThrow(
            /bcm:bitcoin\.implementation: "core" is not "btcd" or "bitcoind"; bcm:bitcoin\.keep: unknown key/,
        );
        expect(() => readDataCenterSpec(cfg({ ...base, kafka: JSON.stringify({ topics: [{ name: "a b" }], heapMiB: 64 }) }))).toThrow(
            /bcm:kafka\.topics\[0\]\.name: "a b" is not a Kafka topic name.*; bcm:kafka\.heapMiB: 64 must be a whole number of MiB, at least 128/,
        );
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
