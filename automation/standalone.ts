// The main job: a standalone data center on this machine's own LXD (one local endpoint),
// with the gateway tier (swarm managers, private registry, Docker Hub mirror, Tor), the kafka
// tier (KRaft, a broker, Kafka Connect, the schema registry and REST proxy) and the bitcoin tier (btcd and lnd on the chain
// BCM_CHAIN, default regtest), deployed as the stack "standalone" of the root project with
// live progress. BCM_TIERS chooses the tiers (default gateway,kafka,bitcoin; the gateway is
// always one). `npm run up` runs it
// after scripts/setup.sh; `npm run up -- --destroy` tears it down.
//
// Tor stays offline (DisableNetwork 1) unless BCM_TOR_NETWORK says otherwise: running this
// must never reach the public Tor network by surprise. BCM_TOR_NETWORK=public joins it;
// BCM_TOR_NETWORK=private with BCM_TOR_DIR_AUTHORITIES (DirAuthority lines, one per line)
// joins a private test network.
import { bcmHome, developmentDeviceEnv, openStack, Progress, stackPassphrase } from "../engine";
import { clusterWorkDir } from "./cluster/workdir";
import { readDataCenterSpec } from "../components/datacenter/dataCenterSpec";
import { attestedDeviceKind } from "../device/attestedDeviceKind";
import { deployWithPolicy, engineFailure, interrupted, recoverStack } from "./cluster/deploy";
import { currentConfigText, snapshotHooks } from "./snapshots/hooks";
import { prepareDeploy } from "./cluster/deviceValues";
import { writePolicyConfig } from "./cluster/policyConfig";
import { execa } from "execa";
import { CliError } from "./cli/errors";
import { DataCenterOutput, formatSummary, summaryJson, writeClientKeys } from "./summary";
import { withLndRefusal } from "./lightning/lndRefusal";
import { ExitCode } from "./cli/exitCodes";
import { parseUpArguments, UpArguments, upUsage } from "./upArguments";

const stackName = "standalone";

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
    // The controller's certificate is not the environment's: the deploy adds it (prepareDeploy).
    const later = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n(added by the deploy)\n-----END PGP PUBLIC KEY BLOCK-----";
    readDataCenterSpec((k) => (k === "controllerKey" ? later : config[`bcm:${k}`]));
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
    const previousConfig = currentConfigText(stack);
    // The stack keeps what earlier runs fixed (the Lightning birthday) besides what this run sets;
    // prepareDeploy checks the whole (a birthday in the future, a bad peer: one line) before this
    // run's settings are written.
    const current = Object.fromEntries(Object.entries(await stack.getAllConfig()).filter(([, v]) => !v.secret).map(([k, v]) => [k, v.value]));
    const prepared = await prepareDeploy(stack, { ...current, ...config }, { home: r.home, env: r.env, say: r.say, createControllerKey: true });
    await stack.setAllConfig(Object.fromEntries(Object.entries(prepared).map(([k, value]) => [k, { value }])));
    const policyConfig = writePolicyConfig(r.home, stackName, await attestedDeviceKind(r.env), prepared);
    const ctx = { home: r.home, env: r.env, say: r.say, ...(options.signal ? { signal: options.signal } : {}) };
    const spec = readDataCenterSpec((k) => prepared[`bcm:${k}`]);
    // Snapshots before the update, the rollback when it or its health gate fails (bcm:snapshots).
    const hooks = spec ? snapshotHooks({ stack, cluster: stackName, ctx, settings: spec.snapshots, previousConfig, spec }) : undefined;
    await withLndRefusal(prepared, stackName, r.home, () =>
        deployWithPolicy(stack, { cluster: stackName, what: "up", policyConfig, ctx, refresh: options.refresh, ...(hooks ? { hooks } : {}) }, new Progress("up")),
    );
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
    const dc = (await standaloneUp({ home, refresh: args.refresh })) as DataCenterOutput;
    const keyFiles = writeClientKeys(home, stackName, dc.onions);
    if (args.json) console.log(summaryJson(dc, keyFiles));
    else console.log(["", ...formatSummary(`The standalone data center is up (state in ${home}/state).`, dc, keyFiles)].join("\n"));
    if (!args.json && typeof dc.workloads?.bitcoin?.electrum === "object") {
        console.log(`\nwallets (Electrum): npx bcm electrum connect --cluster ${stackName}   (the onion address, port and client key for Sparrow, Electrum, Tor Browser)`);
    }
}

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(`[bcm up] error: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(err instanceof CliError ? err.exitCode : 1);
    });
}
