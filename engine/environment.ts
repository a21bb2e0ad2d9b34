import * as path from "node:path";
import { backendUrl, homeLayout } from "./paths";
import { Engine } from "./toolchain";

/**
 * The environment every engine run gets: the project's own CLI first on PATH (so its
 * language host and dynamic-provider script are the ones used), a file backend under
 * BCM_HOME, and no contact with any outside host: no update check, no plugin download.
 * The passphrase travels in the environment, never on a command line.
 */
export function engineEnv(engine: Engine, home: string, passphrase: string): Record<string, string> {
    const { stateDir, pulumiHome } = homeLayout(home);
    return {
        PATH: [engine.binDir, process.env.PATH ?? "/usr/bin:/bin"].join(path.delimiter),
        // The program keeps per-home files (the operator's Docker sockets) under this home.
        BCM_HOME: home,
        PULUMI_HOME: pulumiHome,
        PULUMI_BACKEND_URL: backendUrl(stateDir),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_CONFIG_PASSPHRASE: passphrase,
        // The engine's own telemetry and "new version" notices would try to reach pulumi.com.
        PULUMI_DISABLE_CI_DETECTION: "true",
        // Programs are type-checked by `tsc` in the test command; at deploy time ts-node
        // only transpiles, which saves seconds on every run.
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
}
