export { LxdEndpoint, checkEndpointName, probeLocalDaemon, serverFingerprintFrom, verifyHttpsEndpoint } from "./lxdEndpoint";
export type { LxdBridgeArgs, LxdEndpointArgs, LxdEndpointConnection, SshConnectionArgs } from "./lxdEndpoint";
export { LxdCluster, validateCluster } from "./lxdCluster";
export type { LxdClusterArgs, LxdEndpointSpec, PlacedEndpoint, TierPlacement } from "./lxdCluster";
export { PlacementError, place, swarmRole, systemContainerName } from "./placement";
export type { PlacementRule } from "./placement";
export * as bootstrap from "./bootstrap";
export { dockerHostProfileConfig } from "./profiles";
export type { ContainerLimits } from "./profiles";
