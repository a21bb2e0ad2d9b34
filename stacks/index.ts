// The root program: `pulumi up -s <cluster>` in the repository deploys the cluster program
// with the stack's `Pulumi.<cluster>.yaml` (endpoints, tiers, chain, Tor network). The
// README's main command (`npm run up`) writes the "standalone" stack's settings and runs it.
export * from "./cluster";
