// The ssh-agent protocol (draft-miller-ssh-agent) message handling, without any I/O:
// one request body in, one response body out. Only what a signing-only hardware agent
// needs: list identities and sign. Everything else is answered with FAILURE, which
// OpenSSH treats as "not supported" (e.g. session-bind@openssh.com extensions).
import { concatBytes, equalBytes, uint32BE } from "../bytes";
import { SshReader, sshString } from "./sshWire";

export const SSH_AGENT_FAILURE = 5;
export const SSH_AGENTC_REQUEST_IDENTITIES = 11;
export const SSH_AGENT_IDENTITIES_ANSWER = 12;
export const SSH_AGENTC_SIGN_REQUEST = 13;
export const SSH_AGENT_SIGN_RESPONSE = 14;

export interface AgentKey {
  readonly blob: Uint8Array;
  readonly comment: string;
  /** Returns the signature blob: string(type) || string(signature). */
  sign(data: Uint8Array, flags: number): Promise<Uint8Array>;
}

export async function handleAgentRequest(request: Uint8Array, keys: readonly AgentKey[]): Promise<Uint8Array> {
  const reader = new SshReader(request);
  const type = reader.byte();
  if (type === SSH_AGENTC_REQUEST_IDENTITIES) {
    return concatBytes(
      Uint8Array.of(SSH_AGENT_IDENTITIES_ANSWER),
      uint32BE(keys.length),
      ...keys.flatMap((k) => [sshString(k.blob), sshString(k.comment)]),
    );
  }
  if (type === SSH_AGENTC_SIGN_REQUEST) {
    const blob = reader.string();
    const data = reader.string();
    const flags = reader.uint32();
    const key = keys.find((k) => equalBytes(k.blob, blob));
    // flags only select RSA hash variants (SSH_AGENT_RSA_SHA2_*); our keys have one
    // signature algorithm each, so they are passed on but change nothing.
    if (!key) return Uint8Array.of(SSH_AGENT_FAILURE);
    return concatBytes(Uint8Array.of(SSH_AGENT_SIGN_RESPONSE), sshString(await key.sign(data, flags)));
  }
  return Uint8Array.of(SSH_AGENT_FAILURE);
}
