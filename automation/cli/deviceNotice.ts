// The line every `bcm` command prints on stderr when the software device is chosen, so a
// run on a mnemonic file is never mistaken for one on the Trezor.
export function softwareDeviceNotice(env: NodeJS.ProcessEnv): string | undefined {
    if (env.BCM_DEVICE !== "mnemonic") return undefined;
    const file = env.BCM_MNEMONIC_FILE ? ` ${env.BCM_MNEMONIC_FILE}` : "";
    // "[bcm]", not "bcm:": that prefix is the CLI's one-line errors', which scripts look for.
    return `[bcm] software device (BCM_DEVICE=mnemonic${file}): the keys come from a mnemonic on this computer, not from a Trezor`;
}
