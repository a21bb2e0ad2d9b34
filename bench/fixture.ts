// The files bench/baseline.sh needs and cannot make with lxc and docker alone: the Tor
// onion service key (Tor's hs_ed25519_secret_key format), the controller's client
// authorization line and the gateway's torrc, made by the same functions the program uses;
// and, so the baseline runs exactly the program's commands inside the container while the
// components evolve, dockerd's daemon.json and the shell scripts the program runs there.
// Run once before the timed baseline:  node -r ts-node/register bench/fixture.ts <dir>
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { defaultOnionServices } from "../components/gateway/gatewayTier";
import { gatewayTorrc } from "../components/gateway/torNetwork";
import { dockerDaemonConfig } from "../components/swarm/daemonConfig";
import { espProbeCommand } from "../components/swarm/encryption";
import { configureDockerScript, swarmInitScript, swarmLeaveScript } from "../components/tier/swarmScripts";
import { clientAuthorization, onionServiceKey } from "../components/tor/onion";

/**
 * Writes into `dir`: onion-<name>-secret, onion-<name>-clients and torrc (Tor offline);
 * daemon.json of the gateway tier (`mirror`: with the Docker Hub mirror, which the program
 * runs only with Tor online); configure-docker.sh, swarm-init.sh, swarm-leave.sh and
 * esp-probe.sh (the `sh -c` scripts of components/tier/swarmScripts.ts and the ESP probe).
 */
export function writeBaselineFixture(dir: string, mirror = false): void {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const s of defaultOnionServices) {
        const key = onionServiceKey(randomBytes(32));
        const lines = s.clients.map(() => clientAuthorization(key.address, randomBytes(32)).serviceLine);
        fs.writeFileSync(path.join(dir, `onion-${s.name}-secret`), key.secretKeyFile, { mode: 0o600 });
        fs.writeFileSync(path.join(dir, `onion-${s.name}-clients`), lines.join("\n") + "\n", { mode: 0o600 });
    }
    const torrc = gatewayTorrc(
        { network: "offline" },
        defaultOnionServices.map((s) => ({ name: s.name, ports: [{ virtualPort: s.virtualPort, target: s.target }] })),
    );
    fs.writeFileSync(path.join(dir, "torrc"), torrc);
    const daemon = dockerDaemonConfig({ tier: "gateway", ...(mirror ? { registryMirror: "http://127.0.0.1:5000" } : {}) });
    fs.writeFileSync(path.join(dir, "daemon.json"), JSON.stringify(daemon));
    if (espProbeCommand[0] !== "sh" || espProbeCommand[1] !== "-c") throw new Error("espProbeCommand is no longer `sh -c <script>`: update bench/fixture.ts");
    const scripts = { "configure-docker.sh": configureDockerScript, "swarm-init.sh": swarmInitScript, "swarm-leave.sh": swarmLeaveScript, "esp-probe.sh": espProbeCommand[2] };
    for (const [file, text] of Object.entries(scripts)) fs.writeFileSync(path.join(dir, file), text + "\n");
}

if (require.main === module) {
    const dir = process.argv[2];
    if (!dir) {
        console.error("usage: node -r ts-node/register bench/fixture.ts <dir>");
        process.exit(2);
    }
    writeBaselineFixture(path.resolve(dir));
}
