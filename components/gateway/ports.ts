/** Ports the gateway offers the data center (the seed's gateway table); registryPush takes pushes, with credentials. */
export const gatewayPorts = { socks: 9050, dns: 9053, mirror: 5000, registry: 5010, registryPush: 5011 } as const;
