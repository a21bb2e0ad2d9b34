// The main job: a standalone data center on this machine's own LXD (one local endpoint),
// with the gateway tier (swarm managers, private registry, Docker Hub mirror, Tor), the kafka
// tier (ZooKeeper, a broker, Kafka Connect) and the bitcoin tier (btcd and lnd on the chain
// BCM_CHAIN, default regtest), deployed as the stack "standalone" of the root project with
// live progress. BCM_TIERS chooses the tiers (default gateway,kafka,bitcoin; the gateway is
// always one). `npm run up` runs it
// after scripts/setup.sh; `npm run up -- --destroy` tears it down.
//
// Tor stays offline (DisableNetwork 1) unless BCM_TOR_NETWORK says otherwise: running this
// must never reach the public Tor network by surprise. BCM_TOR_NETWORK=public joins it;
// BCM_TOR_NETWORK=private with BCM_TOR_DIR_AUTHORITIES (DirAuthority lines, one per line)
// joins a private test network.
import * as fs from "node:fs";
import * as path from "node:path";
import { bcmHome, developmentDeviceEnv, openStack, Progress, stackPassphrase } from "../engine";
import { clusterWorkDir } from "./cluster/workdir";
import { readDataCenterSpec } from "../components/datacenter/dataCenterSpec";
import { deployWithPolicy, engineFailure, interrupted, recoverStack } from "./cluster/deploy";
import { writePolicyConfig } from "./cluster/policyConfig";
import { execa } from "execa";
import { CliError } from "./cli/errors";
import { ExitCode } from "./cli/exitCodes";
import { parseUpArguments, UpArguments, upUsage } from "./upArguments";

const stackName = "standalone";

/** Writes each client's `.auth_private` line where a Tor client's ClientOnionAuthDir can use it (owner-only). */
function writeClientAuth(dir: string, service: string, lines: Record<string, string>): string[] {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return Object.entries(lines).map(([client, line]) => {
        const file = path.join(dir, `${service}-${client}.auth_private`);
        fs.writeFileSync(file, line + "\n", { mode: 0o600 });
        return file;
    });
}

/** The tiers BCM_TIERS names (comma-separated), the gateway first; default all three. */
export function standaloneTiers(env: NodeJS.ProcessEnv): string[] {
    const named = (env.BCM_TIERS ?? "gateway,kafka,bitcoin").split(",").map((t) => t.trim()).filter((t) => t !== "");
    return ["gateway", ...named.filter((t) => t !== "gateway")].filter((t, i, all) => all.indexOf(t) === i);
}

/** The stack settings of the standalone data center, from the environment. */
export function standaloneConfig(env: NodeJS.ProcessEnv): Record<string, string> {
    const network = env.BCM_TOR_NETWORK ?? "offline";
    const tor =
        network === "private"
            ? { network, dirAuthorities: (env.BCM_TOR_DIR_AUTHORITIES ?? "").split("\n").filter((l) => l.trim() !== "") }
            : { network };
    const config: Record<string, string> = {
        "bcm:endpoints": JSON.stringify([{ name: "local", mode: "local" }]),
        "bcm:tiers": JSON.stringify(Object.fromEntries(standaloneTiers(env).map((t) => [t, {}]))),
        "bcm:tor": JSON.stringify(tor),
        "bcm:chain": env.BCM_CHAIN ?? "regtest",
    };
    // Checked here too, so a bad variable fails before the engine starts; errors name the key.
    readDataCenterSpec((k) => config[`bcm:${k}`]);
    return config;
}

/** What the standalone data center's up and destroy take; every field has a default. */
export interface StandaloneOptions {
    /** BCM's home; default `BCM_HOME` or `~/.bcm`. */
    home?: string;
    /** The device environment (BCM_DEVICE, …); default process.env with the development device when none is set. */
    env?: NodeJS.ProcessEnv;
    /** The stack settings; default standaloneConfig(env). */
    config?: Record<string, string>;
    /** Progress and report lines; default stderr. */
    say?: (line: string) => void;
    /** Ctrl-C: cancels the engine cleanly. */
    signal?: AbortSignal;
    /** up: refresh the state from the daemons first, so objects changed or deleted behind BCM's back are put right. */
    refresh?: boolean;
}

interface Resolved {
    home: string;
    env: NodeJS.ProcessEnv;
    say: (line: string) => void;
}

function resolve(o: StandaloneOptions): Resolved {
    const home = o.home ?? bcmHome();
    // Lines from deployWithPolicy carry their own "[bcm <what>]" prefix already.
    const say = o.say ?? ((line: string) => console.error(line.startsWith("[bcm ") ? line : `[bcm up] ${line}`));
    return { home, say, env: o.env ?? developmentDeviceEnv(home, process.env, say) };
}

/** The standalone stack of a BCM home: its settings (with its passphrase salt) live there, not in a checkout, so every clone finds it. */
async function standaloneStack(r: Resolved) {
    const passphrase = await stackPassphrase(stackName, r.env);
    return openStack({ workDir: clusterWorkDir(r.home), stackName, passphrase, home: r.home });
}

/**
 * Brings the standalone data center up (or in step): previewed with the policy pack (a
 * mandatory violation changes nothing, exit 3), then updated with it, with live progress.
 * Returns the stack's `dataCenter` output.
 */
export async function standaloneUp(options: StandaloneOptions = {}): Promise<Record<string, unknown>> {
    const r = resolve(options);
    const config = options.config ?? standaloneConfig(process.env);
    const stack = await standaloneStack(r);
    await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
    const policyConfig = writePolicyConfig(r.home, stackName, r.env, config);
    await deployWithPolicy(stack, { cluster: stackName, what: "up", policyConfig, ctx: { say: r.say, signal: options.signal }, refresh: options.refresh }, new Progress("up"));
    return ((await stack.outputs()).dataCenter?.value ?? {}) as Record<string, unknown>;
}

/** Tears the standalone data center down; returns the chain volumes kept on purpose (bcm:bitcoin.keepChainData). */
export async function standaloneDestroy(options: StandaloneOptions = {}): Promise<string[]> {
    const r = resolve(options);
    const stack = await standaloneStack(r);
    await recoverStack(stack, "destroy", { say: r.say });
    try {
        await stack.destroy({ onEvent: new Progress("destroy").onEvent, signal: options.signal });
    } catch (err) {
        if (options.signal?.aborted) throw interrupted(`destroy of ${stackName}`);
        throw new CliError(`stack ${stackName}: destroy failed: ${engineFailure(err)}; fix the cause and run \`npm run up -- --destroy\` again`);
    }
    const volumes = await execa("lxc", ["storage", "volume", "list", "default", "--format", "csv", "-c", "n"], { reject: false, stdin: "ignore" });
    return volumes.stdout.split("\n").filter((n) => /^bcm-bitcoin-\d+-chain-/.test(n));
}

/** Prints how to reach each service, writing the controller's onion client keys. */
function report(home: string, dc: Record<string, unknown>): void {
    console.log(`\nThe standalone data center is up (state in ${home}/state).`);
    console.log(`  containers:       ${JSON.stringify(dc.containers)}`);
    console.log(`  Tor SOCKS:        ${dc.socks}   (curl --socks5-hostname ${dc.socks} http://<name>/)`);
    console.log(`  Tor DNS:          ${dc.dns} (udp)`);
    console.log(`  private registry: ${dc.registry}/v2/   (from tier containers: 127.0.0.1:5010)`);
    console.log(`  Docker Hub mirror: ${String(dc.registryMirror).startsWith("none") ? dc.registryMirror : `${dc.registryMirror}/v2/ (fetches through Tor)`}`);
    console.log(`  Docker API:       DOCKER_HOST=${dc.dockerHost} docker service ls`);
    console.log(`  Tor network:      ${dc.torNetwork}${dc.torNetwork === "offline" ? " (set BCM_TOR_NETWORK=public to join the Tor network)" : ""}`);
    const onions = (dc.onions ?? {}) as Record<string, { address: string; clientAuthLines: Record<string, string> }>;
    for (const [name, o] of Object.entries(onions)) {
        const files = writeClientAuth(path.join(home, "onion-auth", stackName), name, o.clientAuthLines);
        console.log(`  onion ${name}: ${o.address}${files.length > 0 ? `  (client keys for ClientOnionAuthDir: ${files.join(", ")})` : "  (public)"}`);
    }
    const workloads = (dc.workloads ?? {}) as Record<string, unknown>;
    for (const [tier, w] of Object.entries(workloads)) {
        // Credentials stay off the terminal: they are in the stack's encrypted state.
        const shown = { ...(w as Record<string, unknown>) };
        if ("rpcCredentials" in shown) shown.rpcCredentials = "secret: in the stack's encrypted state, output dataCenter.workloads.bitcoin.rpcCredentials";
        console.log(`  ${tier}: ${JSON.stringify(shown)}`);
    }
}

async function main(): Promise<void> {
    let args: UpArguments;
    try {
        args = parseUpArguments(process.argv.slice(2));
    } catch (err) {
        throw new CliError(`${(err as Error).message}`, ExitCode.usage);
    }
    if (args.help) {
        console.log(upUsage);
        return;
    }
    const home = bcmHome();
    if (args.destroy) {
        const kept = await standaloneDestroy({ home });
        console.log(`stack ${stackName} destroyed; its state stays in ${home}/state`);
        for (const v of kept) console.log(`kept: the chain volume ${v} (the next up takes it back; to delete it: lxc storage volume delete default ${v})`);
        return;
    }
    report(home, await standaloneUp({ home, refresh: args.refresh }));
}

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(`[bcm up] error: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(err instanceof CliError ? err.exitCode : 1);
    });
}
