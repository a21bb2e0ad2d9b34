// SSH identities exactly as `trezor-agent user@host` makes them (libagent/ssh/__init__.py,
// libagent/ssh/client.py, libagent/formats.py): the SLIP-0013 identity
// ssh://user@host, index 0, on nist256p1 unless ed25519 is asked for.
import { Device, Identity } from "../device";
import { identityPath, parseIdentityUri, serializeIdentity, SLIP13_PURPOSE } from "../slip13Identity";
import { p256 } from "@noble/curves/p256";
import { concatBytes } from "../bytes";
import { sshString } from "./sshWire";

export type SshCurve = "nist256p1" | "ed25519";
export const SSH_CURVES: readonly SshCurve[] = ["nist256p1", "ed25519"];

export interface SshIdentity {
  readonly identity: Identity;
  readonly curve: SshCurve;
  /** trezor-agent's key comment, `<ssh://user@host|curve>`. */
  readonly label: string;
}

/**
 * `user@host[:port][/path]`, with or without `ssh://` (trezor-agent forces the proto to
 * ssh either way). trezor-agent transliterates non-ASCII text with Python's unidecode
 * before deriving; that table is not reproduced here, so such identities are refused
 * rather than silently giving a different key.
 */
export function sshIdentity(text: string, curve: SshCurve = "nist256p1"): SshIdentity {
  if (!/^[\x20-\x7e]+$/.test(text)) throw new Error(`SSH identity must be printable ASCII: ${JSON.stringify(text)}`);
  const identity: Identity = { ...parseIdentityUri(text), proto: "ssh" };
  if (!identity.host) throw new Error(`SSH identity has no host: ${JSON.stringify(text)}`);
  return { identity, curve, label: `<${serializeIdentity(identity)}|${curve}>` };
}

export const SSH_KEY_TYPE: Record<SshCurve, string> = {
  nist256p1: "ecdsa-sha2-nistp256",
  ed25519: "ssh-ed25519",
};

/** The public key blob (RFC 5656 section 3.1 / RFC 8709 section 4) of a firmware-format 33-byte key. */
export function sshPublicKeyBlob(curve: SshCurve, devicePublicKey: Uint8Array): Uint8Array {
  if (curve === "ed25519") {
    return concatBytes(sshString(SSH_KEY_TYPE.ed25519), sshString(devicePublicKey.subarray(1)));
  }
  const uncompressed = p256.ProjectivePoint.fromHex(devicePublicKey).toRawBytes(false);
  return concatBytes(sshString(SSH_KEY_TYPE.nist256p1), sshString("nistp256"), sshString(uncompressed));
}

export interface SshPublicKey {
  readonly identity: SshIdentity;
  readonly blob: Uint8Array;
  /** `type base64 comment`, without a newline (trezor-agent prints one after it). */
  readonly line: string;
}

export async function sshPublicKey(device: Device, identity: SshIdentity): Promise<SshPublicKey> {
  const publicKey = await device.getPublicKey(identityPath(identity.identity, SLIP13_PURPOSE), identity.curve);
  const blob = sshPublicKeyBlob(identity.curve, publicKey);
  const line = `${SSH_KEY_TYPE[identity.curve]} ${Buffer.from(blob).toString("base64")} ${identity.label}`;
  return { identity, blob, line };
}
