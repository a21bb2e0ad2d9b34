export { assertPrivate, freePort, startTorNetwork } from "./tornet";
export type { OnionService, OnionServiceOptions, TorClient, TorClientOptions, TorNetwork, TorNetworkOptions } from "./tornet";
export { TorControl } from "./control";
export type { ControlReply } from "./control";
export { dnsAnswer, startDnsServer } from "./dns";
