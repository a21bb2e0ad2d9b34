// Pulumi components for a BCM data center, one namespace per area (type tokens bcm:<area>:<Type>).
export * as lxd from "./lxd";
export * as cluster from "./cluster";
export * as tier from "./tier";
export * as swarm from "./swarm";
export * as tor from "./tor";
export * as gateway from "./gateway";
export * as kafka from "./kafka";
export * as bitcoin from "./bitcoin";
export * as datacenter from "./datacenter";
