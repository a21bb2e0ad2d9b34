// The bitcoin tier in the data center's workload table (components/datacenter/workloads.ts).
import * as pulumi from "@pulumi/pulumi";
import { defineWorkload } from "../datacenter/workload";
import { bitcoinOnionServices, BitcoinTier, chainDataVolume } from "./bitcoinTier";
import { ElectrumServer } from "./electrum";
import { electrumOnionService } from "./electrumConfig";
import { BitcoinSettings, readBitcoinSettings } from "./settings";

export const bitcoinWorkload = defineWorkload<BitcoinSettings>({
    name: "bitcoin",
    readSettings: readBitcoinSettings,
    // bitcoind comes only from an image the user built from a verified release.
    images: (s) => ({
        [s.implementation]: s.implementation === "bitcoind" ? s.image : undefined,
        lnd: undefined,
        ...(s.electrum ? { electrum: undefined } : {}),
    }),
    onionServices: (s, chain) => [...bitcoinOnionServices(s.implementation, chain), ...(s.electrum ? [electrumOnionService(chain)] : [])],
    // The tier's first container keeps the chain (the node and lnd are pinned to it).
    dataVolumes: (s, chain, index) => (index === 0 ? [chainDataVolume(chain, s.keepChainData)] : []),
    deploy(name, { settings, chain, torOffline, tier, network, gateway }, opts) {
        const implementation = settings.implementation;
        const bitcoin = new BitcoinTier(
            name,
            {
                tier,
                docker: gateway.docker,
                network,
                chain,
                implementation,
                images: { node: gateway.images[implementation], lnd: gateway.images.lnd },
                onions: gateway.onions,
                torOffline,
                ...(settings.miningAddress ? { miningAddress: settings.miningAddress } : {}),
            },
            opts,
        );
        const electrum = settings.electrum
            ? new ElectrumServer(
                  `${name}-electrum`,
                  {
                      tier,
                      docker: gateway.docker,
                      network,
                      chain,
                      implementation,
                      image: gateway.images.electrum,
                      rpc: bitcoin.rpcCredentials,
                      ...(bitcoin.rpcCert ? { rpcCert: bitcoin.rpcCert } : {}),
                      node: bitcoin.node,
                  },
                  opts,
              )
            : undefined;
        return pulumi.output({
            implementation,
            node: bitcoin.node.serviceName,
            lnd: bitcoin.lnd.serviceName,
            rpc: bitcoin.rpcAddress,
            miningAddress: bitcoin.miningAddress ?? "none (not regtest)",
            // For the controller's RPC over the authenticated onion service (secret in the state).
            rpcCredentials: bitcoin.rpcCredentials,
            keepChainData: settings.keepChainData,
            // Wallets reach it through the onion service of the same name (`bcm electrum connect`).
            electrum: electrum ? { service: electrum.serviceName, address: electrum.address } : "off",
        });
    },
});
