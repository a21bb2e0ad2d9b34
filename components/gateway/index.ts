export * from "./gatewayTier";
export { checkOnionServices, onionSecrets } from "./onions";
export type { OnionSecrets } from "./onions";
export { mirrorService, registryService, torService } from "./services";
export type { GatewayPlacement } from "./services";
export { gatewayTorrc, validateTorSettings } from "./torNetwork";
export type { TorNetworkSettings } from "./torNetwork";
