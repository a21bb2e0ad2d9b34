import * as docker from "@pulumi/docker";
import { Registered, value } from "../testing/mocks";
import { bitcoinContainer, recordBitcoinResources } from "./testing/wiring";
import { BitcoinTier } from "./bitcoinTier";
import { noPlaintextSecrets } from "../../policy/rules/noPlaintextSecrets";
import { messages, runResourcePolicy } from "../../policy/testing/harness";
import { regtest } from "../../policy/testing/fixtures";

const registered: Registered[] = [];

beforeAll(() => recordBitcoinResources(registered));

describe("BitcoinTier wiring (mocks)", () => {
    it("runs btcd and lnd on the first container's kept chain volume, configs as secrets owned by the images' users, nothing published", async () => {
        const { tier, provider, network } = bitcoinContainer(true);
        const onions = { "btcd-regtest-p2p": { address: "p2p.onion", clientAuthLines: {} }, "lnd-regtest": { address: "ln.onion", clientAuthLines: {} } };
        const key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n";
        const bitcoin = new BitcoinTier("b", {
            tier,
            docker: provider,
            network,
            chain: "regtest",
            images: { node: "r/btcd@sha256:1", lnd: "r/lnd@sha256:2" },
            onions,
            lnd: { secret: "00".repeat(32), birthday: "2026-12-01" },
            channelBackups: { recipientKey: key, keep: 5 },
        });
        expect(await value(bitcoin.miningAddress!)).toMatch(/^bcrt1q/);
        await value(bitcoin.lnd.serviceName);
        await value(bitcoin.channelBackups.serviceName);
        await value(bitcoin.urn);

        const volume = registered.find((r) => r.name === "t-bcm-bitcoin-01-chain-regtest")!;
        expect(volume.inputs).toMatchObject({ name: "bcm-bitcoin-01-chain-regtest", config: { "user.bcm.cluster": "c", "user.bcm.retain": "true" } });
        const instance = registered.find((r) => r.type === "lxd:index:Instance")!;
        expect(instance.inputs.devices["data-chain-regtest"]).toMatchObject({ type: "disk", source: "bcm-bitcoin-01-chain-regtest", path: "/var/lib/bcm/chain-regtest" });

        const secret = (n: string) => Buffer.from(registered.find((r) => r.name === n)!.inputs.data, "base64").toString();
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
        expect(lnd.taskSpec.containerSpec.secrets.map((s: any) => [s.fileName, s.fileUid, s.fileMode])).toEqual([
            ["lnd.conf", "9735", 0o400],
            ["lnd-wallet.json", "9735", 0o400],
            ["lnd-wallet-password", "9735", 0o400],
            ["btcd-rpc.cert", "9735", 0o400],
        ]);
        // bcm-lnd-start is told the identity the wallet must have: the device secret's (services/lnd/testdata/vectors.json, secret 00…00).
        const pubkey = "026c8af708aacdecb47d169cdebb18f00cf2cb6e0819d77cdc2c49cbbf4edc2a5b";
        expect(lnd.taskSpec.containerSpec.args).toEqual(["--chain=regtest", `--expect-node-pubkey=${pubkey}`, "--lnddir=/var/lib/lnd", "--", "--configfile=/run/secrets/lnd.conf"]);
        expect(await value(bitcoin.lightningIdentity)).toEqual({ nodePubkey: pubkey, firstAddress: "bcrt1qemtfr377qtjm044mz0ahx5cyqypsq627u25qry" });
        expect(JSON.parse(secret("b-lnd-wallet"))).toEqual({
            entropy: "de0e1bc4d18e5cf04f072e8ec1c9467e",
            salt: "7d9d034937",
            birthday: "2026-12-01",
            password: "75778f051ec4520e0d7d189f84b01380e27ee9e82501db5534ad757c16844e92",
            macaroonRootKey: "aeb84aa25e5d086e19c652652e6706a9a14cfd96d91f1de2fd5a3ba8ea409560",
        });
        expect(secret("b-lnd-wallet-password")).toBe("75778f051ec4520e0d7d189f84b01380e27ee9e82501db5534ad757c16844e92");
        // Every channel backup, encrypted to the controller: lnd's directory read-only, its own directory on the volume.
        const backups = service("lnd-backup-regtest");
        expect(backups.taskSpec.containerSpec.commands).toEqual(["bcm-chanbackup"]);
        expect(backups.taskSpec.containerSpec.args).toEqual([
            "--rpcserver=lnd-regtest:10009",
            "--tlscert=/run/secrets/lnd/tls.cert",
            "--macaroon=/run/secrets/lnd/data/chain/bitcoin/regtest/readonly.macaroon",
            "--recipient-key=/etc/bcm/controller.asc",
            "--dir=/var/lib/bcm/channel-backups",
            "--keep=5",
        ]);
        expect(backups.taskSpec.containerSpec.mounts).toEqual([
            { type: "bind", source: "/var/lib/bcm/chain-regtest/channel-backups", target: "/var/lib/bcm/channel-backups" },
            { type: "bind", source: "/var/lib/bcm/chain-regtest/lnd", target: "/run/secrets/lnd", readOnly: true },
        ]);
        expect(Buffer.from(registered.find((r) => r.name === "lnd-backup-regtest-controller-key")!.inputs.data, "base64").toString()).toBe(key);
        // The policy pack's no-plaintext-secrets passes every service: secrets are files (the macaroon's flag names one under /run/secrets/).
        for (const name of ["btcd-regtest", "lnd-regtest", "lnd-backup-regtest"]) {
            const result = await runResourcePolicy(noPlaintextSecrets, { type: "docker:index/service:Service", name, props: service(name) }, regtest);
            expect({ name, violations: messages(result) }).toEqual({ name, violations: [] });
        }
        for (const s of [btcd, lnd, backups]) {
            expect(s.endpointSpec.ports).toEqual([]);
            expect(s.taskSpec.networksAdvanceds.length).toBe(1);
            expect(s.taskSpec.containerSpec.env).toEqual({});
        }
        // The config files carry the onion addresses and the pinned certificate's path.
        expect(secret("b-btcd-conf")).toMatch(/^externalip=p2p\.onion$/m);
        expect(secret("b-btcd-conf")).toMatch(/^rpcpass=pw0123456789$/m);
        expect(secret("b-lnd-conf")).toMatch(/^externalhosts=ln\.onion:9735$/m);
        expect(secret("b-btcd-rpc-key")).toContain("BEGIN PRIVATE KEY");
        expect(registered.find((r) => r.name === "b-btcd-conf")!.inputs.name).toMatch(/^bcm-btcd-conf-[0-9a-f]{12}$/);
        const dirs = registered.find((r) => r.name === "b-chain-dirs")!;
        expect(dirs.inputs.create[2]).toContain("chown 8333:8333 /var/lib/bcm/chain-regtest/btcd; chown 9735:9735 /var/lib/bcm/chain-regtest/lnd /var/lib/bcm/chain-regtest/channel-backups");
        expect(secret("b-lnd-conf")).not.toMatch(/noseedbackup/);
    });
});
