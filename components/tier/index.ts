export * from "./systemContainerTier";
export * from "./swarmScripts";
