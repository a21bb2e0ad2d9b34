// `bcm pulumi -- <pulumi args>`: what the engine is asked, decided from its arguments (pure,
// tested directly). The stack (`-s`/`--stack`) decides whose passphrase the device derives,
// and the commands that deploy or plan get the policy pack and the stack's policy config.

/** The pulumi commands (and aliases) that plan or change a stack: they always run with the pack. */
export const policyCommands = ["up", "update", "preview", "pre"] as const;

/** Flags of pulumi that take a value, so the command word is not mistaken for one. */
const valueFlags = new Set(["-s", "--stack", "-C", "--cwd", "--color", "-v", "--verbose", "--tracing", "--profiling", "--memprofilerate", "--logflow"]);

export interface PulumiInvocation {
    /** The stack named with -s/--stack, if any. */
    stack?: string;
    /** The first command word (up, preview, stack, config, …). */
    command?: string;
    /** Whether the policy pack must be added. */
    withPolicy: boolean;
}

/** Reads the command and the stack from pulumi's arguments; refuses what would bypass BCM's settings. */
export function pulumiInvocation(args: readonly string[]): PulumiInvocation {
    let stack: string | undefined;
    let command: string | undefined;
    // Fail closed: any word that names up or preview (a flag of pulumi's that takes a value
    // unknown here could shift the command word) brings the pack.
    let planning = false;
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === "--") break;
        const eq = a.indexOf("=");
        const flag = a.startsWith("-") && eq > 0 ? a.slice(0, eq) : a;
        const value = a.startsWith("-") && eq > 0 ? a.slice(eq + 1) : undefined;
        if (flag === "-C" || flag === "--cwd") throw new Error(`${flag}: bcm pulumi runs the cluster program in its own work directory; leave ${flag} out`);
        if (flag === "--disable-integrity-checking" || flag === "--policy-pack-config") {
            throw new Error(`${flag}: bcm pulumi sets the policy pack's config itself; leave ${flag} out`);
        }
        if (flag === "-s" || flag === "--stack") {
            stack = value ?? args[++i];
            if (stack === undefined || stack === "") throw new Error(`${flag}: give the cluster's name`);
            continue;
        }
        if (a.startsWith("-")) {
            if (value === undefined && valueFlags.has(a) && !(policyCommands as readonly string[]).includes(args[i + 1])) i++;
            continue;
        }
        command ??= a;
        if ((policyCommands as readonly string[]).includes(a)) planning = true;
    }
    const withPolicy = planning;
    if (withPolicy && stack === undefined) throw new Error(`pulumi ${command ?? "up"}: name the cluster with -s <cluster>, so its passphrase and policy settings are used`);
    return { ...(stack !== undefined ? { stack } : {}), ...(command !== undefined ? { command } : {}), withPolicy };
}

/** The arguments the engine runs with: the user's, plus the pack and its config for up and preview. */
export function pulumiArguments(args: readonly string[], inv: PulumiInvocation, policy: { dir: string; config: string }): string[] {
    if (!inv.withPolicy) return [...args];
    const end = args.indexOf("--");
    const head = end < 0 ? [...args] : args.slice(0, end);
    const tail = end < 0 ? [] : args.slice(end);
    return [...head, "--policy-pack", policy.dir, "--policy-pack-config", policy.config, ...tail];
}
