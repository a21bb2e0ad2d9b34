// The Automation API layer as a library: deploy BCM stacks from a script of your own, with
// the project's engine, the policy pack and the device, as `npm run up` and `bcm` do.
export { standaloneConfig, standaloneDestroy, standaloneTiers, standaloneUp } from "./standalone";
export type { StandaloneOptions } from "./standalone";
export { deployWithPolicy, previewWithPolicy, violationCollector } from "./cluster/deploy";
export type { DeploySettings, Violation } from "./cluster/deploy";
export { dataCenterPolicySettings, policyDir, writePolicyConfig } from "./cluster/policyConfig";
export { clusterWorkspace, openCluster, selectCluster } from "./cluster/workspace";
export type { ClusterContext } from "./cluster/workspace";
export { createCluster, destroyCluster, imagePaths, listClusters } from "./cluster/lifecycle";
export { clusterWorkDir } from "./cluster/workdir";
export { CliError } from "./cli/errors";
export { ExitCode } from "./cli/exitCodes";
