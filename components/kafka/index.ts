export * from "./layout";
export * from "./kafkaTier";
