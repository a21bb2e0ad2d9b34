// The Lightning secret of a cluster and chain from the device: one CipherKeyValue, confirmed
// on the Trezor (device/lndSecret.ts: the contract users recover funds with).
import { lndSecret, lndSecretLabel, LndChain } from "../../device/lndSecret";
import { deviceFromEnvironment } from "../../device/fromEnvironment";
import { ClusterContext } from "../cluster/workspace";

/** The 32-byte secret; the device is closed again before this returns. */
export async function askLndSecret(ctx: ClusterContext, cluster: string, chain: LndChain): Promise<Uint8Array> {
    const device = await deviceFromEnvironment(ctx.env);
    try {
        const onTrezor = (await device.describe()).kind === "trezor";
        ctx.say(`asking the device for "${lndSecretLabel(cluster, chain)}"${onTrezor ? ": confirm on your Trezor" : ""}`);
        return await lndSecret(device, cluster, chain);
    } finally {
        await device.close();
    }
}
