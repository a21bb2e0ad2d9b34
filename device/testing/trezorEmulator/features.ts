// The Features message of BCM's emulated Trezor: a Model One (T1B1) on firmware 1.13.1,
// the newest Model One release @trezor/connect 9.7.3 carries in its bundled release list
// (so Connect never has to look the version up online). Field by field as the legacy
// firmware's fsm_msgGetFeatures fills them, with two deliberate differences that keep the
// emulator from passing for a genuine device: the revision names this emulator instead of
// a firmware commit, and the label defaults to "BCM emulator".
import { bytesToHex, utf8 } from "../../bytes";

export const EMULATED_MODEL = "T1B1";
export const EMULATED_FIRMWARE = [1, 13, 1] as const;
/** Features.revision: not a firmware commit, so Connect's revision check reports a mismatch. */
export const EMULATOR_REVISION = "bcm trezor emulator";

export interface FeaturesState {
  deviceId: string;
  label: string;
  pinProtection: boolean;
  passphraseProtection: boolean;
  unlocked: boolean;
  sessionId: Uint8Array;
}

export function featuresMessage(state: FeaturesState): Record<string, unknown> {
  const [major, minor, patch] = EMULATED_FIRMWARE;
  return {
    vendor: "trezor.io",
    major_version: major,
    minor_version: minor,
    patch_version: patch,
    device_id: state.deviceId,
    pin_protection: state.pinProtection,
    passphrase_protection: state.passphraseProtection,
    language: "en-US",
    label: state.label,
    initialized: true,
    revision: bytesToHex(utf8(EMULATOR_REVISION)),
    // The seed was loaded, not generated on the device (as LoadDevice marks it).
    imported: true,
    unlocked: state.unlocked,
    unfinished_backup: false,
    no_backup: false,
    model: "1",
    internal_model: EMULATED_MODEL,
    // A bitcoin-only build: the capabilities BCM needs and nothing else.
    capabilities: ["Capability_Bitcoin", "Capability_Crypto"],
    session_id: bytesToHex(state.sessionId),
  };
}
