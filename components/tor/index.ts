export { base32, clientAuthorization, onionAddress, publicKeyFromTorFile } from "./onion";
export type { ClientAuthorization } from "./onion";
export { renderTorrc } from "./torrc";
export type { OnionPort, OnionServiceConfig, TorConfig } from "./torrc";
