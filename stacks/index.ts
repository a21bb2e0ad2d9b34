// The root program: the cluster program (stacks/cluster), one stack per cluster; `bcm pulumi -- up -s <cluster>` runs it
// with the stack's `Pulumi.<cluster>.yaml` (endpoints, tiers, chain, Tor network). The
// README's main command (`npm run up`) writes the "standalone" stack's settings and runs it.
export * from "./cluster";
