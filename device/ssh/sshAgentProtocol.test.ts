import { concatBytes, uint32BE } from "../bytes";
import { AgentKey, handleAgentRequest, SSH_AGENT_FAILURE, SSH_AGENT_IDENTITIES_ANSWER, SSH_AGENT_SIGN_RESPONSE } from "./sshAgentProtocol";
import { SshReader, sshString } from "./sshWire";

const signed: Array<[Uint8Array, number]> = [];
const key: AgentKey = {
  blob: Uint8Array.of(1, 2, 3),
  comment: "<ssh://a@b|nist256p1>",
  sign: async (data, flags) => (signed.push([data, flags]), Uint8Array.of(9, 9)),
};

test("REQUEST_IDENTITIES lists each key blob and comment", async () => {
  const reader = new SshReader(await handleAgentRequest(Uint8Array.of(11), [key]));
  expect(reader.byte()).toBe(SSH_AGENT_IDENTITIES_ANSWER);
  expect(reader.uint32()).toBe(1);
  expect(reader.string()).toEqual(key.blob);
  expect(Buffer.from(reader.string()).toString()).toBe(key.comment);
  expect(reader.remaining).toBe(0);
});

test("SIGN_REQUEST for a known key returns its signature", async () => {
  const request = concatBytes(Uint8Array.of(13), sshString(key.blob), sshString("data"), uint32BE(4));
  const reader = new SshReader(await handleAgentRequest(request, [key]));
  expect(reader.byte()).toBe(SSH_AGENT_SIGN_RESPONSE);
  expect(reader.string()).toEqual(Uint8Array.of(9, 9));
  expect(signed.at(-1)).toEqual([new TextEncoder().encode("data"), 4]);
});

test("SIGN_REQUEST for an unknown key fails without touching the device", async () => {
  const before = signed.length;
  const request = concatBytes(Uint8Array.of(13), sshString(Uint8Array.of(7)), sshString("data"), uint32BE(0));
  expect(await handleAgentRequest(request, [key])).toEqual(Uint8Array.of(SSH_AGENT_FAILURE));
  expect(signed.length).toBe(before);
});

test("anything else (e.g. an extension or add-identity) is FAILURE", async () => {
  for (const type of [17, 18, 19, 27]) {
    expect(await handleAgentRequest(Uint8Array.of(type), [key])).toEqual(Uint8Array.of(SSH_AGENT_FAILURE));
  }
});

test("a truncated request is an error, not a crash of the agent", async () => {
  await expect(handleAgentRequest(Uint8Array.of(13, 0, 0), [key])).rejects.toThrow(/truncated/);
});
