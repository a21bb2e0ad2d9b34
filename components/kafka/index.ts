export * from "./layout";
export * from "./kafkaTier";
export * from "./settings";
export * from "./workload";
