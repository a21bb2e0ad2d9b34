export * from "./spec";
export * from "./dataCenterSpec";
export * from "./images";
export * from "./workload";
export { workloads } from "./workloads";
export * from "./dataCenter";
export * from "./deviceSecrets";
