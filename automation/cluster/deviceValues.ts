// Before a data center is deployed, the CLI does what the program cannot: it asks the device
// for the values the deployed workloads need (one confirmation each, kept as the stack's
// secret config, encrypted under the device-derived passphrase and given to the engine
// through standard input, never a command line) and writes back the settings a first deploy
// fixes for good (the Lightning wallet's birthday).
import { Stack } from "@pulumi/pulumi/automation";
import { readDataCenterSpec } from "../../components/datacenter/dataCenterSpec";
import { deviceSecretRequests, firstDeploySettings } from "../../components/datacenter/deviceSecrets";
import { workloads } from "../../components/datacenter/workloads";
import { bytesToHex } from "../../device/bytes";
import { deviceFromEnvironment } from "../../device/fromEnvironment";
import { setSecretConfig } from "../../engine/secretConfig";
import { controllerCertificate } from "./controllerKey";

/** Today in UTC, as a stack setting writes dates. */
export function utcDate(now: Date = new Date()): string {
    return now.toISOString().slice(0, 10);
}

/**
 * Makes `config` (the stack's plain config, `bcm:*` keys) complete for a deploy: first-deploy
 * settings added (and written to the stack), the device's values set as secrets. Returns the
 * config as it now is (without the secrets).
 */
export async function prepareDeploy(
    stack: Stack,
    config: Record<string, string>,
    opts: { home: string; env: NodeJS.ProcessEnv; say: (line: string) => void; createControllerKey?: boolean },
): Promise<Record<string, string>> {
    const { env, say } = opts;
    const tiersText = config["bcm:tiers"];
    if (tiersText === undefined) return config;
    const out = { ...config };
    // The controller's certificate, for the workloads that encrypt to it (checked by readDataCenterSpec).
    let tiers: string[] = [];
    try {
        tiers = Object.keys(JSON.parse(tiersText) as Record<string, unknown>);
    } catch {
        tiers = []; // readDataCenterSpec names the problem below
    }
    if (workloads.some((w) => w.needsControllerKey && tiers.includes(w.name))) {
        const certificate = await controllerCertificate(opts.home, () => deviceFromEnvironment(env), opts.createControllerKey === true, say);
        if (out["bcm:controllerKey"] !== certificate) {
            out["bcm:controllerKey"] = certificate;
            await stack.setConfig("bcm:controllerKey", { value: certificate });
        }
    }
    const spec = readDataCenterSpec((k) => out[`bcm:${k}`])!;
    for (const [workload, add] of Object.entries(firstDeploySettings(spec, utcDate()))) {
        const key = `bcm:${workload}`;
        const merged = { ...(JSON.parse(out[key] ?? "{}") as Record<string, unknown>), ...add };
        out[key] = JSON.stringify(merged);
        await stack.setConfig(key, { value: out[key] });
        for (const [k, v] of Object.entries(add)) say(`${key}.${k} set to ${JSON.stringify(v)} on this first deploy; it stays so (it is part of what the device restores)`);
    }
    const requests = deviceSecretRequests(readDataCenterSpec((k) => out[`bcm:${k}`])!, stack.name);
    if (requests.length === 0) return out;
    const device = await deviceFromEnvironment(env);
    try {
        const onTrezor = (await device.describe()).kind === "trezor";
        for (const r of requests) {
            say(`asking the device for ${r.key} ("${r.request.key}")${onTrezor ? ": confirm on your Trezor" : ""}`);
            const value = bytesToHex(await device.cipherKeyValue(r.request));
            const current = (await stack.getAllConfig())[`bcm:${r.key}`];
            if (current?.secret && current.value === value) continue;
            await setSecretConfig(stack, `bcm:${r.key}`, value);
        }
    } finally {
        await device.close();
    }
    return out;
}
