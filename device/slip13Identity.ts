// SLIP-0013 / SLIP-0017 identities: URI serialisation and the derivation path.
import { sha256 } from "@noble/hashes/sha2";
import { concatBytes, uint32LE, utf8 } from "./bytes";
import { HARDENED } from "./bip32Path";
import { Identity } from "./device";

export const SLIP13_PURPOSE = 13;
export const SLIP17_PURPOSE = 17;

/** `[proto "://"][user "@"][host][":" port][path]`, exactly as the firmware's serialize_identity. */
export function serializeIdentity(identity: Identity): string {
  let s = "";
  if (identity.proto) s += identity.proto + "://";
  if (identity.user) s += identity.user + "@";
  if (identity.host) s += identity.host;
  if (identity.port) s += ":" + identity.port;
  if (identity.path) s += identity.path;
  return s;
}

/** `m/purpose'/A'/B'/C'/D'` with A..D the little-endian words of SHA256(LE32(index) || uri). */
export function identityPath(identity: Identity, purpose: typeof SLIP13_PURPOSE | typeof SLIP17_PURPOSE): number[] {
  const index = identity.index ?? 0;
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) throw new Error(`identity index out of range: ${index}`);
  const digest = sha256(concatBytes(uint32LE(index), utf8(serializeIdentity(identity))));
  const view = new DataView(digest.buffer, digest.byteOffset, 16);
  const words = [0, 4, 8, 12].map((offset) => view.getUint32(offset, true));
  return [purpose, ...words].map((w) => (w | HARDENED) >>> 0);
}

// trezor-agent's identity grammar (libagent/device/interface.py, _identity_regexp).
// The greedy groups are deliberate: "a@b@c" has user "a@b", as in trezor-agent.
const IDENTITY_PATTERN = /^(?:(?<proto>.*):\/\/)?(?:(?<user>.*)@)?(?<host>.*?)(?::(?<port>\w*))?(?<path>\/.*)?$/s;

/** Parses `proto://user@host:port/path` the way trezor-agent does; empty parts are omitted. */
export function parseIdentityUri(text: string): Identity {
  const groups = IDENTITY_PATTERN.exec(text)?.groups ?? {};
  const identity: Identity = {};
  for (const key of ["proto", "user", "host", "port", "path"] as const) {
    if (groups[key]) identity[key] = groups[key];
  }
  return identity;
}
