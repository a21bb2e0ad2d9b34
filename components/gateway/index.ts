export * from "./gatewayTier";
export { checkOnionServices, onionSecrets } from "./onions";
export type { OnionSecrets } from "./onions";
export { mirrorService, registryServices, torService } from "./services";
export type { GatewayPlacement, RegistryFiles } from "./services";
export { registryConfig, htpasswdLine, registryPushUser } from "./registryConfig";
export { firewallInstallScript, firewallRules, guardedPorts } from "./firewall";
export { gatewayTorrc, validateTorSettings } from "./torNetwork";
export type { TorNetworkSettings } from "./torNetwork";
