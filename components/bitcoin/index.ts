export * from "./chains";
export * from "./config";
export * from "./miningAddress";
export * from "./bitcoinTier";
export * from "./settings";
export * from "./workload";
export * from "./electrum";
export * from "./electrumConfig";
