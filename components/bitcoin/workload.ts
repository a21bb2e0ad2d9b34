// The bitcoin tier in the data center's workload table (components/datacenter/workloads.ts).
import * as pulumi from "@pulumi/pulumi";
import { lndSecretRequest } from "../../device/lndSecret";
import { defineWorkload } from "../datacenter/workload";
import { SpecError } from "../datacenter/spec";
import { ChainBridge } from "../kafka/chainBridge";
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
    // Channel backups are encrypted to the controller.
    needsControllerKey: true,
    // lnd's wallet: one confirmation on the device per deploy (device/lndSecret.ts).
    deviceSecrets: (_s, cluster, chain) => [{ key: "lndSecret", request: lndSecretRequest(cluster, chain) }],
    // The birthday is part of the wallet's words: fixed on the first deploy, kept ever after.
    firstDeploySettings: (s, today) => (s.lndBirthday ? undefined : { lndBirthday: today }),
    deploy(name, { settings, chain, torOffline, tier, network, gateway, deviceSecrets, controllerKey }, opts) {
        if (!settings.lndBirthday) throw new SpecError("bcm:bitcoin.lndBirthday: missing; the first deploy through bcm sets it (or set the wallet's birthday, YYYY-MM-DD)");
        if (!controllerKey) throw new SpecError("bcm:controllerKey: missing; run `bcm init` and deploy through bcm");
        const implementation = settings.implementation;
        const kafka = gateway.tierNetworks.kafka;
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
                peers: settings.peers,
                lnd: { secret: deviceSecrets.lndSecret, birthday: settings.lndBirthday },
                // With the kafka tier, backups also go to a compacted topic (one broker is enough to find the others).
                channelBackups: { recipientKey: controllerKey, ...(kafka ? { kafka: { network: kafka, brokers: "kafka-1:9092" } } : {}) },
                ...(settings.miningAddress ? { miningAddress: settings.miningAddress } : {}),
                ...(settings.prune !== undefined ? { prune: settings.prune } : {}),
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
        // With the kafka tier, the chain flows into it (btcd: TLS RPC and websocket notifications).
        const bridge =
            kafka && bitcoin.rpcCert
                ? new ChainBridge(
                      `chain-bridge-${chain}`,
                      {
                          chain,
                          rpcAddress: bitcoin.rpcAddress,
                          rpcCredentials: bitcoin.rpcCredentials,
                          rpcCert: bitcoin.rpcCert,
                          networks: { bitcoin: network, kafka },
                          image: gateway.images.streams,
                          brokers: "kafka-1:9092",
                          registryUrl: "http://schema-registry-1:8081",
                          tier: "kafka",
                      },
                      { ...opts, provider: gateway.docker, dependsOn: [bitcoin] },
                  )
                : undefined;
        return pulumi.output({
            ...(bridge ? { chainBridge: bridge.service.serviceName, chainTopics: bridge.topics } : {}),
            implementation,
            node: bitcoin.node.serviceName,
            lnd: bitcoin.lnd.serviceName,
            lightning: bitcoin.lightningIdentity,
            channelBackups: bitcoin.channelBackups.serviceName,
            rpc: bitcoin.rpcAddress,
            miningAddress: bitcoin.miningAddress ?? "none (not regtest)",
            // For the controller's RPC over the authenticated onion service (secret in the state).
            rpcCredentials: bitcoin.rpcCredentials,
            keepChainData: settings.keepChainData,
            lndBirthday: settings.lndBirthday,
            // Wallets reach it through the onion service of the same name (`bcm electrum connect`).
            electrum: electrum ? { service: electrum.serviceName, address: electrum.address } : "off",
        });
    },
});
