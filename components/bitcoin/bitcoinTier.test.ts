import * as docker from "@pulumi/docker";
import { Registered, recordResources, value } from "../testing/mocks";
import { SystemContainerTier } from "../tier/systemContainerTier";
import { BitcoinTier, chainDataVolume } from "./bitcoinTier";

const registered: Registered[] = [];
const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

beforeAll(() =>
    recordResources(registered, (type) =>
        type === "random:index/randomPassword:RandomPassword"
            ? { result: "pw0123456789" }
            : type === "random:index/randomBytes:RandomBytes"
              ? { base64: Buffer.alloc(32, 7).toString("base64") }
              : type === "command:local:Command"
                ? { stdout: pem }
                : {},
    ),
);

describe("BitcoinTier wiring (mocks)", () => {
    it("runs btcd and lnd on the first container's kept chain volume, configs as secrets owned by the images' users, nothing published", async () => {
        const members = [{ containerName: "bcm-bitcoin-01", endpoint: {}, image: "fp", profiles: ["default"], swarmRole: "worker" as const, dataVolumes: [chainDataVolume("regtest", true)] }];
        const tier = new SystemContainerTier("t", { tier: "bitcoin", cluster: "c", members, swarm: { managerAddress: "10.0.0.1:2377", workerToken: "tok" } });
        const provider = new docker.Provider("d", { host: "unix:///x.sock" });
        const network = new docker.Network("n", { name: "bcm-bitcoin", driver: "overlay" }, { provider });
        const onions = { "btcd-regtest-p2p": { address: "p2p.onion", clientAuthLines: {} }, "lnd-regtest": { address: "ln.onion", clientAuthLines: {} } };
        const bitcoin = new BitcoinTier("b", { tier, docker: provider, network, chain: "regtest", images: { node: "r/btcd@sha256:1", lnd: "r/lnd@sha256:2" }, onions });
        expect(await value(bitcoin.miningAddress!)).toMatch(/^bcrt1q/);
        await value(bitcoin.lnd.serviceName);
        await value(bitcoin.urn);

        const volume = registered.find((r) => r.name === "t-bcm-bitcoin-01-chain-regtest")!;
        expect(volume.inputs).toMatchObject({ name: "bcm-bitcoin-01-chain-regtest", config: { "user.bcm.cluster": "c", "user.bcm.retain": "true" } });
        const instance = registered.find((r) => r.type === "lxd:index:Instance")!;
        expect(instance.inputs.devices["data-chain-regtest"]).toMatchObject({ type: "disk", source: "bcm-bitcoin-01-chain-regtest", path: "/var/lib/bcm/chain-regtest" });

        const service = (n: string) => registered.find((r) => r.type === "docker:index/service:Service" && r.name === n)!.inputs;
        const btcd = service("btcd-regtest");
        expect(btcd.taskSpec.containerSpec.args).toEqual(["--configfile=/run/secrets/btcd.conf"]);
        expect(btcd.taskSpec.containerSpec.mounts).toEqual([{ type: "bind", source: "/var/lib/bcm/chain-regtest/btcd", target: "/var/lib/btcd" }]);
        expect(btcd.taskSpec.containerSpec.secrets.map((s: any) => [s.fileName, s.fileUid, s.fileMode])).toEqual([
            ["btcd.conf", "8333", 0o400],
            ["btcctl.conf", "8333", 0o400],
            ["btcd-rpc.cert", "8333", 0o400],
            ["btcd-rpc.key", "8333", 0o400],
        ]);
        expect(btcd.taskSpec.placement.constraints).toEqual(["engine.labels.bcm-tier == bitcoin", "node.hostname == bcm-bitcoin-01"]);
        const lnd = service("lnd-regtest");
        expect(lnd.taskSpec.containerSpec.mounts).toEqual([{ type: "bind", source: "/var/lib/bcm/chain-regtest/lnd", target: "/var/lib/lnd" }]);
        expect(lnd.taskSpec.containerSpec.secrets.map((s: any) => [s.fileName, s.fileUid])).toEqual([["lnd.conf", "9735"], ["btcd-rpc.cert", "9735"]]);
        for (const s of [btcd, lnd]) {
            expect(s.endpointSpec.ports).toEqual([]);
            expect(s.taskSpec.networksAdvanceds.length).toBe(1);
            expect(s.taskSpec.containerSpec.env).toEqual({});
        }
        // The config files carry the onion addresses and the pinned certificate's path.
        const secret = (n: string) => Buffer.from(registered.find((r) => r.name === n)!.inputs.data, "base64").toString();
        expect(secret("b-btcd-conf")).toMatch(/^externalip=p2p\.onion$/m);
        expect(secret("b-btcd-conf")).toMatch(/^rpcpass=pw0123456789$/m);
        expect(secret("b-lnd-conf")).toMatch(/^externalhosts=ln\.onion:9735$/m);
        expect(secret("b-btcd-rpc-key")).toContain("BEGIN PRIVATE KEY");
        expect(registered.find((r) => r.name === "b-btcd-conf")!.inputs.name).toMatch(/^bcm-btcd-conf-[0-9a-f]{12}$/);
        const dirs = registered.find((r) => r.name === "b-chain-dirs")!;
        expect(dirs.inputs.create[2]).toContain("chown 8333:8333 /var/lib/bcm/chain-regtest/btcd; chown 9735:9735 /var/lib/bcm/chain-regtest/lnd");
    });
});
