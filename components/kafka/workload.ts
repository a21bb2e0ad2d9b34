// The kafka tier in the data center's workload table (components/datacenter/workloads.ts).
import * as pulumi from "@pulumi/pulumi";
import { defineWorkload } from "../datacenter/workload";
import { KafkaTier } from "./kafkaTier";
import { KafkaSettings, readKafkaSettings } from "./settings";

export const kafkaWorkload = defineWorkload<KafkaSettings>({
    name: "kafka",
    readSettings: (raw, _chain, problems) => readKafkaSettings(raw, problems),
    images: () => ({ kafka: undefined, streams: undefined }),
    deploy(name, { settings, tier, network, gateway }, opts) {
        const kafka = new KafkaTier(
            name,
            {
                tier,
                docker: gateway.docker,
                network,
                images: { kafka: gateway.images.kafka, streams: gateway.images.streams },
                topics: settings.topics,
                ...(settings.heapMiB ? { heapMiB: settings.heapMiB } : {}),
                ...(settings.controllers ? { controllers: settings.controllers } : {}),
                ...(settings.apps ? { apps: settings.apps } : {}),
                overlayEncrypted: gateway.overlayEncrypted,
            },
            opts,
        );
        return pulumi.output({
            bootstrapServers: kafka.bootstrapServers,
            controllerQuorum: kafka.controllerQuorum,
            clusterId: kafka.clusterId,
            replicationFactor: kafka.replicationFactor,
            schemaRegistryUrls: kafka.schemaRegistryUrls,
            restProxyUrls: kafka.restProxyUrls,
            topics: Object.keys(kafka.topics),
            apps: (settings.apps ?? []).map((a) => `kafka-app-${a.name}`),
        });
    },
});
