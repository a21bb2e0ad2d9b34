// What the policy pack is told about a cluster stack: its chain, device, private registry,
// and what the gateway publishes and lets out. Written to a file per cluster, which every
// preview and update of the cluster passes to the pack.
import * as fs from "node:fs";
import * as path from "node:path";
import { DataCenterSpec, readDataCenterSpec } from "../../components/datacenter/dataCenterSpec";
import { gatewayPorts } from "../../components/gateway/ports";
import type { PolicyDeviceKind } from "../../device/describeDevice";
import { policyPackConfig, PolicySettingsInput } from "../../policy/settings";
import { codeRoot } from "../../engine/paths";

/** The policy pack every deploy runs: the sources, or dist/policy when the library runs compiled. */
export const policyDir = path.join(codeRoot, "policy");

/** The policy settings of a bare cluster stack (endpoints only), for the device that answered. */
export function policySettings(device: PolicyDeviceKind | undefined): PolicySettingsInput {
    return { chain: "regtest", ...(device ? { device } : {}), privateRegistry: `127.0.0.1:${gatewayPorts.registry}` };
}

/**
 * What the policy pack must know about a data center: the private registry, the host ports
 * the gateway publishes, and the gateway services allowed a way out (Tor itself, and the two
 * registries, whose host ports need a non-internal network; the mirror fetches through Tor).
 */
export function dataCenterPolicySettings(spec: DataCenterSpec, device?: PolicyDeviceKind): PolicySettingsInput {
    const mirror = spec.tor.network !== "offline";
    return {
        chain: spec.chain,
        ...(device ? { device } : {}),
        privateRegistry: `127.0.0.1:${gatewayPorts.registry}`,
        publishedPorts: [
            { service: "registry", port: gatewayPorts.registry },
            { service: "registry-push", port: gatewayPorts.registryPush },
            { service: "tor", port: gatewayPorts.socks },
            { service: "tor", port: gatewayPorts.dns },
            ...(mirror ? [{ service: "registry-mirror", port: gatewayPorts.mirror }] : []),
        ],
        egressAllowed: ["tor", "registry", "registry-push", ...(mirror ? ["registry-mirror"] : [])],
    };
}

/**
 * Writes the pack's config for a cluster stack: a bare cluster's settings, or, once the stack
 * describes a data center (`bcm:tiers`), what its gateway publishes and lets out. `device` is
 * what answered (attestedDeviceKind), never what an environment variable claims.
 */
export function writePolicyConfig(home: string, name: string, device: PolicyDeviceKind | undefined, stackConfig: Record<string, string> = {}): string {
    const file = path.join(home, "clusters", `${name}.policy.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const spec = readDataCenterSpec((k) => stackConfig[`bcm:${k}`]);
    // The project's own host directories: the BCM home and the manager's socket directory.
    const hostPaths = [home, ...(stackConfig["bcm:dockerSocketDir"] ? [stackConfig["bcm:dockerSocketDir"]] : [])].map((p) => path.resolve(p));
    const settings = { ...(spec ? dataCenterPolicySettings(spec, device) : policySettings(device)), hostPaths };
    fs.writeFileSync(file, JSON.stringify(policyPackConfig(settings), null, 2) + "\n", { mode: 0o600 });
    return file;
}
