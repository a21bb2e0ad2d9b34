import { stackPolicy, StackContext } from "../lib/define";
import { Finding } from "../lib/report";

const name = "mainnet-needs-hardware-device";

/**
 * Mainnet stacks keep their secrets on the hardware device: when the settings' chain is
 * mainnet (or absent: the strictest reading), device must be "trezor": a Trezor that answered
 * over USB or Bridge. An emulator or the software device holds its seed in a computer's
 * memory. The bcm CLI writes the device kind from what the device reported about itself.
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
                'deploy with the Trezor connected over USB or Trezor Bridge (BCM_DEVICE unset or trezor), so the policy config says device: "trezor"; ' +
                'the software device and emulators are for test chains only (set chain to "testnet", "signet" or "regtest" if this is not mainnet)',
        },
    ];
}

export const mainnetNeedsHardwareDevice = stackPolicy(
    name,
    'Mainnet stacks require the hardware-device secrets provider: policy config chain "mainnet" (the default) needs device "trezor".',
    hardwareDeviceFindings,
);
