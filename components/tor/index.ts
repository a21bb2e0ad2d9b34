export { base32, clientAuthorization, onionAddress, onionServiceKey, publicKeyFromTorFile } from "./onion";
export type { ClientAuthorization, OnionServiceKey } from "./onion";
export { renderTorrc, testNetworkTorrcLines } from "./torrc";
export type { OnionPort, OnionServiceConfig, TorConfig } from "./torrc";
