// A tier of our own: "notes", a small HTTP service on its own system containers, reachable
// only on the tier's overlay (bcm-notes), like every BCM workload. It is one object in the
// data center's workload table; nothing else of BCM needs to know it.
import * as pulumi from "@pulumi/pulumi";
import { defineWorkload } from "bcm/components/datacenter";
import { SwarmService } from "bcm/components/swarm";

export interface NotesSettings {
    /** The page the service serves. */
    text: string;
}

export const notesWorkload = defineWorkload<NotesSettings>({
    name: "notes",
    readSettings(raw, _chain, problems) {
        const text = (raw as { text?: unknown } | undefined)?.text ?? "hello from a tier of my own";
        if (typeof text !== "string") problems.push("notes.text: must be a string");
        return { text: String(text) };
    },
    // BCM's toolbox image has python3; the gateway publishes it in the private registry.
    images: () => ({ toolbox: undefined }),
    deploy(name, { settings, tier, network, gateway }, opts) {
        const service = new SwarmService(
            "notes",
            {
                tier: "notes",
                image: gateway.images.toolbox,
                command: ["sh", "-c", 'mkdir -p /tmp/notes && printf "%s\\n" "$TEXT" > /tmp/notes/index.html && exec python3 -m http.server -d /tmp/notes 8080'],
                env: { TEXT: settings.text },
                networks: [{ network, aliases: ["notes"] }],
                healthcheck: "python3 -c 'import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:8080/\")'",
                memoryMiB: 64,
            },
            { ...opts, provider: gateway.docker, dependsOn: tier.ready },
        );
        return pulumi.output({ service: service.serviceName, url: "http://notes:8080/" });
    },
});
