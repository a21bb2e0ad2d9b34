// The cluster stack program: `pulumi up -s <cluster>` runs this.
//
// Today it deploys the engine check (a secret, a local command and a Docker network on the
// controller's dockerd); the LXD endpoints and the tiers are built on the same engine next.
import { EngineCheck } from "../components/smoke";

const check = new EngineCheck("engine-check");

export const engineCheck = {
    commandOutput: check.commandOutput,
    dockerNetwork: check.networkName,
};
