// Onion service identities in Tor's key file formats (implemented in ./onion beside the address).
export { onionServiceKey } from "./onion";
export type { OnionServiceKey } from "./onion";
