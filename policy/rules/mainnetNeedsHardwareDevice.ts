import { stackPolicy, StackContext } from "../lib/define";
import { Finding } from "../lib/report";

const name = "mainnet-needs-hardware-device";

/**
 * Mainnet stacks keep their secrets on the hardware device: when the settings' chain is
 * mainnet (or absent: the strictest reading), device must be "trezor". The bcm CLI passes
 * both from the stack it deploys (device as BCM_DEVICE: "trezor" or "mnemonic").
 */
export function hardwareDeviceFindings(ctx: StackContext): Finding[] {
    if (ctx.settings.chain !== "mainnet" || ctx.settings.device === "trezor") {
        return [];
    }
    const device = ctx.settings.device === undefined ? "not set in the policy config" : `"${ctx.settings.device}"`;
    return [
        {
            subject: `stack ${ctx.stack || "<unnamed>"}`,
            problem: `is a mainnet stack but its secrets device is ${device}: mainnet stack secrets must come from the Trezor`,
            fix:
                'deploy with the Trezor (BCM_DEVICE=trezor, the default) so the policy config says device: "trezor"; ' +
                'a mnemonic device is for test chains only (set chain to "testnet4", "signet" or "regtest" if this is not mainnet)',
        },
    ];
}

export const mainnetNeedsHardwareDevice = stackPolicy(
    name,
    'Mainnet stacks require the hardware-device secrets provider: policy config chain "mainnet" (the default) needs device "trezor".',
    hardwareDeviceFindings,
);
