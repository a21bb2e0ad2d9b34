// The LXD resources (served by this package's provider plugin, pulumi-resource-lxd) and the
// REST client under them.
export * from "./resources";
export * as client from "./client";
