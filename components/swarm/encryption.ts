/**
 * Encrypted overlays need the kernel's ESP transform with AES-GCM. Without it Docker still
 * creates an `encrypted` overlay and then silently drops every packet on it, so BCM probes
 * the kernel of every endpoint first (shared/notes/environment.md: this machine has none).
 */
export type OverlayEncryption = "auto" | "required" | "off";

export const overlayEncryptionModes: readonly OverlayEncryption[] = ["auto", "required", "off"];

/**
 * A shell probe run inside a tier container (its kernel is the endpoint's): adding an ESP
 * state with the AEAD Docker uses, in a throw-away network namespace, succeeds only when the
 * kernel can encrypt overlay traffic. Prints "esp" or "none".
 */
export const espProbeCommand = [
    "sh",
    "-c",
    "if unshare -n ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 reqid 1 mode transport " +
        "aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128 2>/dev/null; then echo esp; else echo none; fi",
];

/** What the probes found and what to do about it. */
export interface EncryptionDecision {
    /** Whether overlays get `encrypted`. */
    encrypted: boolean;
    /** Set when overlays run unencrypted for a reason the user should see. */
    warning?: string;
}

/**
 * Decides overlay encryption from the configured mode and each endpoint's probe result.
 * "auto" encrypts when every endpoint can; when one cannot and the cluster has a single
 * endpoint, overlay traffic never leaves the machine, so it runs unencrypted with a warning;
 * across several endpoints that would put clear text on the LAN, so it fails instead.
 */
export function decideOverlayEncryption(mode: OverlayEncryption, probes: Record<string, boolean>, key = "bcm:overlayEncryption"): EncryptionDecision {
    const lacking = Object.entries(probes).filter(([, ok]) => !ok).map(([name]) => name);
    const endpoints = Object.keys(probes).length;
    if (!overlayEncryptionModes.includes(mode)) {
        throw new Error(`${key}: "${mode}" is not one of ${overlayEncryptionModes.join(", ")}`);
    }
    if (mode === "off") {
        return { encrypted: false, warning: `${key} is "off": overlay traffic between containers is not encrypted` };
    }
    if (lacking.length === 0) return { encrypted: true };
    const why =
        `the kernel of endpoint(s) ${lacking.join(", ")} has no ESP/AES-GCM (CONFIG_INET_ESP, CONFIG_CRYPTO_GCM), ` +
        `so an encrypted overlay there would silently drop all traffic`;
    if (mode === "required") {
        throw new Error(`${key} is "required" but ${why}; use a kernel with those options, or set ${key} to "off" to accept clear-text overlays`);
    }
    if (endpoints === 1) {
        return { encrypted: false, warning: `${why}; overlays run unencrypted, which is safe only because this cluster has one endpoint and its overlay traffic never leaves the machine` };
    }
    throw new Error(`${why}; with ${endpoints} endpoints overlay traffic crosses the network in clear text. Fix the kernel, or set ${key} to "off" to accept that`);
}
