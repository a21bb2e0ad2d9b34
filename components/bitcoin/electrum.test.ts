import * as docker from "@pulumi/docker";
import { Registered, value } from "../testing/mocks";
import { bitcoinContainer, recordBitcoinResources } from "./testing/wiring";
import { SystemContainerTier } from "../tier/systemContainerTier";
import { BitcoinTier } from "./bitcoinTier";
import { ElectrumServer } from "./electrum";
import { readBitcoinSettings } from "./settings";
import { bitcoinWorkload } from "./workload";

const registered: Registered[] = [];

beforeAll(() => recordBitcoinResources(registered));

describe("ElectrumServer wiring (mocks)", () => {
    it("indexes the tier's node from the kept chain volume, its settings and btcd's certificate as secrets of its user, nothing published", async () => {
        const { tier, provider, network } = bitcoinContainer(false);
        const bitcoin = new BitcoinTier("b", { tier, docker: provider, network, chain: "regtest", images: { node: "r/btcd@sha256:1", lnd: "r/lnd@sha256:2" }, miningAddress: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080",
            lnd: { secret: "00".repeat(32), birthday: "2026-12-01" }, channelBackups: { recipientKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nx\n-----END PGP PUBLIC KEY BLOCK-----\n" } });
        const electrum = new ElectrumServer("e", {
            tier, docker: provider, network, chain: "regtest", implementation: "btcd", image: "r/electrum@sha256:3",
            rpc: bitcoin.rpcCredentials, rpcCert: bitcoin.rpcCert!, node: bitcoin.node,
        });
        expect(electrum.address).toBe("electrum-regtest:50001");
        await value(electrum.service.serviceName);
        await value(electrum.urn);
        // The mining address the stack gives wins over a drawn key (and no key is drawn).
        expect(await value(bitcoin.miningAddress!)).toBe("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080");
        expect(registered.find((r) => r.name === "b-mining-key")).toBeUndefined();

        const service = registered.find((r) => r.type === "docker:index/service:Service" && r.name === "electrum-regtest")!.inputs;
        const spec = service.taskSpec.containerSpec;
        expect(spec.image).toBe("r/electrum@sha256:3");
        // The password is in a file, never in argv or the environment.
        expect(spec.args).toEqual(["serve", "--config=/run/secrets/electrum.conf"]);
        expect(spec.env).toEqual({});
        expect(JSON.stringify(service)).not.toContain("pw0123456789");
        expect(spec.secrets.map((s: any) => [s.fileName, s.fileUid, s.fileGid, s.fileMode])).toEqual([
            ["electrum.conf", "50001", "50001", 0o400],
            ["btcd-rpc.cert", "50001", "50001", 0o400],
        ]);
        expect(spec.mounts).toEqual([{ type: "bind", source: "/var/lib/bcm/chain-regtest/electrum", target: "/var/lib/electrum" }]);
        expect(spec.healthcheck.tests).toEqual(["CMD-SHELL", "bcm-electrum status --datadir /var/lib/electrum >/dev/null && nc -z 127.0.0.1 50001"]);
        // On the tier's overlay only (alias = its name), pinned beside its index, no port on any host.
        expect(service.endpointSpec.ports).toEqual([]);
        expect(service.taskSpec.networksAdvanceds).toEqual([{ id: "n-id", aliases: ["electrum-regtest"] }]);
        expect(service.taskSpec.placement.constraints).toEqual(["engine.labels.bcm-tier == bitcoin", "node.hostname == bcm-bitcoin-01"]);
        expect(service.taskSpec.resources.limits.memoryBytes).toBe(512 * 1024 * 1024);

        const secret = (n: string) => Buffer.from(registered.find((r) => r.name === n)!.inputs.data, "base64").toString();
        expect(secret("e-conf").split("\n")).toEqual([
            "rpc-addr = btcd-regtest:18334",
            "rpc-user = bcm",
            "rpc-pass = pw0123456789",
            "rpc-cert = /run/secrets/btcd-rpc.cert",
            "chain = regtest",
            "datadir = /var/lib/electrum",
            "listen = 0.0.0.0:50001",
            "memory-limit = 256MiB",
            "",
        ]);
        expect(secret("e-btcd-cert")).toContain("BEGIN CERTIFICATE");
        expect(secret("e-btcd-cert")).not.toContain("PRIVATE KEY");
        expect(registered.find((r) => r.name === "e-conf")!.inputs.name).toMatch(/^bcm-electrum-conf-[0-9a-f]{12}$/);
        const dir = registered.find((r) => r.name === "e-index-dir")!;
        expect(dir.inputs.create[2]).toBe("set -e; mkdir -p /var/lib/bcm/chain-regtest/electrum; chown 50001:50001 /var/lib/bcm/chain-regtest/electrum; chmod 0700 /var/lib/bcm/chain-regtest/electrum");
    });

    it("refuses btcd without the certificate to pin", () => {
        const members = [{ containerName: "bcm-bitcoin-01", endpoint: {}, image: "fp", profiles: ["default"], swarmRole: "worker" as const }];
        const tier = new SystemContainerTier("t2", { tier: "bitcoin", cluster: "c", members, swarm: { managerAddress: "10.0.0.1:2377", workerToken: "tok" } });
        const provider = new docker.Provider("d2", { host: "unix:///x.sock" });
        const network = new docker.Network("n2", { name: "bcm-bitcoin", driver: "overlay" }, { provider });
        expect(() => new ElectrumServer("e2", { tier, docker: provider, network, chain: "regtest", implementation: "btcd", image: "i", rpc: { user: "bcm", password: "x" }, node: network })).toThrow(
            /^electrum: btcd's RPC speaks TLS; give rpcCert/,
        );
    });
});

describe("the bitcoin workload's Electrum entry", () => {
    const on = readBitcoinSettings(undefined, "regtest", []);
    const off = readBitcoinSettings({ electrum: false }, "regtest", []);

    it("publishes the server as an onion service for the controller's key only, and runs its image, unless turned off", () => {
        const onion = bitcoinWorkload.onionServices!(on, "regtest").find((o) => o.name === "electrum-regtest");
        expect(onion).toEqual({ name: "electrum-regtest", virtualPort: 50001, target: "electrum-regtest:50001", clients: ["controller"] });
        expect(onion!.public).toBeUndefined();
        expect(bitcoinWorkload.onionServices!(off, "regtest").map((o) => o.name)).toEqual(["btcd-regtest-p2p", "lnd-regtest", "btcd-regtest-rpc"]);
        expect(Object.keys(bitcoinWorkload.images(on))).toEqual(["btcd", "lnd", "electrum"]);
        expect(Object.keys(bitcoinWorkload.images(off))).toEqual(["btcd", "lnd"]);
    });
});
