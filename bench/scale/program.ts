// One run of the scale benchmark: the cluster program's model (an LxdCluster of N endpoints,
// every tier on every endpoint) built under Pulumi's mocks, as `pulumi preview` would build
// it, without an engine. Prints one JSON line: endpoints, resources registered, seconds, peak RSS.
import * as pulumi from "@pulumi/pulumi";
import { LxdCluster } from "../../components/cluster/lxdCluster";
import { DataCenter } from "../../components/datacenter/dataCenter";
import { readDataCenterSpec } from "../../components/datacenter/dataCenterSpec";
import { deviceSecretRequests } from "../../components/datacenter/deviceSecrets";
import { resolveImages } from "../../components/datacenter/images";

const n = Number(process.argv[2]);
const started = process.hrtime.bigint();
let registered = 0;
/** When the last resource registered: the graph is complete once that stops moving. */
let lastRegistration = process.hrtime.bigint();
const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

async function main(): Promise<void> {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered++;
                lastRegistration = process.hrtime.bigint();
                const extra: Record<string, unknown> =
                    args.type === "random:index/randomBytes:RandomBytes"
                        ? { base64: Buffer.alloc(32, 5).toString("base64") }
                        : args.type === "random:index/randomPassword:RandomPassword"
                          ? { result: "pw0123456789" }
                          : args.type === "command:local:Command"
                            ? { stdout: pem }
                            : args.type === "lxd:index:Exec"
                              ? // The swarm's join tokens, and ESP in every kernel (several endpoints need encrypted overlays).
                                { stdout: String(args.name).endsWith("esp-probe") ? "esp\n" : "SWMTKN-1-aaa-bbb SWMTKN-1-ccc-ddd\n" }
                              : {};
                return { id: `${args.name}-id`, state: { ...args.inputs, ipv4Address: "10.0.0.9", config: { "volatile.uuid": "u" }, stdout: "", ...extra } };
            },
            call: () => ({}),
        },
        "bcm",
        "scale",
        true,
    );
    const key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nx\n-----END PGP PUBLIC KEY BLOCK-----\n";
    const config: Record<string, string> = {
        tiers: JSON.stringify({ gateway: {}, kafka: {}, bitcoin: {} }),
        tor: '{"network":"offline"}',
        bitcoin: JSON.stringify({ lndBirthday: "2026-12-01" }),
        controllerKey: key,
    };
    const spec = readDataCenterSpec((k) => config[k])!;
    const endpoints = Array.from({ length: n }, (_, i) => ({ name: `h${i + 1}`, mode: "local" as const, verify: false }));
    const lxdCluster = new LxdCluster("scale", { endpoints });
    const built = Object.fromEntries(["debian", "registry", "tor", "toolbox", "kafka", "streams", "btcd", "lnd", "electrum"].map((i) => [i, `bcm/${i}:1`]));
    const dc = new DataCenter("scale", {
        cluster: "scale",
        lxdCluster,
        bases: endpoints.map((_, i) => ({ image: `fp${i}`, profile: "bcm-docker" })),
        spec,
        dockerImages: resolveImages(spec, built),
        dockerSocketDir: "/tmp/bcm-scale-bench",
        deviceSecrets: Object.fromEntries(deviceSecretRequests(spec, "scale").map((d) => [d.key, "11".repeat(32)])),
    });
    // The graph is built when no resource has registered for a second (that quiet second is not counted).
    await new Promise<void>((ok) => pulumi.all([dc.urn, dc.summary.onions, pulumi.all(dc.summary.containers.map((c) => c.address))]).apply(() => ok()));
    let seen = -1;
    while (seen !== registered) {
        seen = registered;
        await new Promise((r) => setTimeout(r, 1000));
    }
    const seconds = Number(lastRegistration - started) / 1e9;
    console.log(JSON.stringify({ endpoints: n, containers: dc.summary.containers.length, resources: registered, seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
