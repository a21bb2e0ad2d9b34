// Signing an SSH agent request on the device, the way trezor-agent does: SignIdentity
// with the whole data blob as hidden challenge and an empty visual challenge. The
// firmware hashes the blob with SHA-256 for nist256p1 (ecdsa-sha2-nistp256) and signs
// it as is for ed25519, which is what OpenSSH verifies.
import { concatBytes } from "../bytes";
import { Device } from "../device";
import { SSH_KEY_TYPE, SshIdentity } from "./sshIdentity";
import { sshMpint, sshString } from "./sshWire";

/** The signature blob of SSH_AGENT_SIGN_RESPONSE: string(type) || string(signature). */
export function sshSignatureBlob(identity: SshIdentity, deviceSignature: Uint8Array): Uint8Array {
  const raw = deviceSignature.subarray(1); // firmware prefix byte 00 for ssh
  if (raw.length !== 64) throw new Error(`unexpected signature length ${deviceSignature.length}`);
  const body = identity.curve === "ed25519" ? raw : concatBytes(sshMpint(raw.subarray(0, 32)), sshMpint(raw.subarray(32)));
  return concatBytes(sshString(SSH_KEY_TYPE[identity.curve]), sshString(body));
}

export async function signSshData(device: Device, identity: SshIdentity, data: Uint8Array): Promise<Uint8Array> {
  const { signature } = await device.signIdentity({
    identity: identity.identity,
    challengeHidden: data,
    challengeVisual: "",
    curve: identity.curve,
  });
  return sshSignatureBlob(identity, signature);
}
