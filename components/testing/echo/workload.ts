// A trivial workload tier, for tests: an echo service on its tier, to show that a new tier
// needs only its own folder and one entry in the workload table.
import * as pulumi from "@pulumi/pulumi";
import { SwarmService } from "../../swarm/swarmService";
import { defineWorkload } from "../../datacenter/workload";

export interface EchoSettings {
    /** What the echo service answers; default "hello". */
    message: string;
}

export const echoWorkload = defineWorkload<EchoSettings>({
    name: "echo",
    readSettings(raw, _chain, problems) {
        const settings = { message: "hello" };
        if (raw === undefined) return settings;
        const m = (raw as { message?: unknown } | null)?.message;
        if (typeof m === "string" && m !== "") settings.message = m;
        else problems.push(`bcm:echo.message: must be a non-empty string`);
        return settings;
    },
    images: () => ({ toolbox: undefined }),
    deploy(name, { settings, tier, network, gateway }, opts) {
        const echo = new SwarmService(
            "echo",
            {
                tier: "echo",
                image: gateway.images.toolbox,
                // The toolbox image's python3 serves the message over HTTP on port 8080.
                command: ["sh", "-c", 'mkdir -p /tmp/echo && printf "%s\\n" "$MESSAGE" > /tmp/echo/index.html && exec python3 -m http.server -d /tmp/echo 8080'],
                env: { MESSAGE: settings.message },
                networks: [{ network, aliases: ["echo"] }],
                memoryMiB: 32,
            },
            { ...opts, provider: gateway.docker, dependsOn: tier.ready },
        );
        return pulumi.output({ service: echo.serviceName, members: tier.members.length });
    },
});
