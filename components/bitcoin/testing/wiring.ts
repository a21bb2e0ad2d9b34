// What the bitcoin tier's wiring tests (bitcoinTier.test.ts, electrum.test.ts) share: the
// mocked engine's answers for the tier's random values and its certificate command, and one
// bitcoin container with its Docker provider and overlay network.
import * as docker from "@pulumi/docker";
import { Registered, recordResources } from "../../testing/mocks";
import { SystemContainerTier } from "../../tier/systemContainerTier";
import { chainDataVolume } from "../bitcoinTier";

/** What the certificate command prints: a certificate and its key. */
export const mockedPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

/** Mocks every resource into `registered`, with fixed values for the random password and bytes and the certificate. */
export function recordBitcoinResources(registered: Registered[]): Promise<void> {
    return recordResources(registered, (type) =>
        type === "random:index/randomPassword:RandomPassword"
            ? { result: "pw0123456789" }
            : type === "random:index/randomBytes:RandomBytes"
              ? { base64: Buffer.alloc(32, 7).toString("base64") }
              : type === "command:local:Command"
                ? { stdout: mockedPem }
                : {},
    );
}

/** One bitcoin container (bcm-bitcoin-01 with the regtest chain volume), its Docker provider and the tier's overlay. */
export function bitcoinContainer(keepChainData: boolean): { tier: SystemContainerTier; provider: docker.Provider; network: docker.Network } {
    const members = [{ containerName: "bcm-bitcoin-01", endpoint: {}, image: "fp", profiles: ["default"], swarmRole: "worker" as const, dataVolumes: [chainDataVolume("regtest", keepChainData)] }];
    const tier = new SystemContainerTier("t", { tier: "bitcoin", cluster: "c", members, swarm: { managerAddress: "10.0.0.1:2377", workerToken: "tok" } });
    const provider = new docker.Provider("d", { host: "unix:///x.sock" });
    const network = new docker.Network("n", { name: "bcm-bitcoin", driver: "overlay" }, { provider });
    return { tier, provider, network };
}
