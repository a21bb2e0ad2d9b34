// The command line of `npm run up` (scripts/up.sh → automation/standalone.ts).

export interface UpArguments {
    destroy: boolean;
    refresh: boolean;
    json: boolean;
    help: boolean;
}

export const upUsage = `Usage: npm run up [-- <option>]

Brings up (or in step) the standalone data center on this machine's LXD and Docker: the
stack "standalone" of your BCM home, previewed with the policy pack, then deployed with live
progress; prints how to reach it. A second run changes only what changed. A run interrupted
earlier (Ctrl-C, a kill, a crash) is finished first: its stack lock and pending operations
are cleared, each said in one line.

Options:
  --refresh   read every resource back from the daemons first (\`pulumi refresh\`), so
              objects changed or deleted behind BCM's back are put right by this run
  --destroy   tear the standalone data center down (the chain volume stays when
              bcm:bitcoin.keepChainData says so; volumes kept on purpose are named)
  --json      print the data center as JSON instead of the summary
  --help      this text

Environment:
  BCM_TIERS          tiers, comma-separated (default gateway,kafka,bitcoin)
  BCM_CHAIN          regtest (default), signet, testnet or mainnet
  BCM_TOR_NETWORK    offline (default), public, or private (with BCM_TOR_DIR_AUTHORITIES)
  BCM_DEVICE         the device; unset: the development software device (BCM_HOME/development.mnemonic)
  BCM_HOME           BCM's state (default ~/.bcm)`;

/** Parses the options after `npm run up --`; an unknown one or a bad combination is an error naming it. */
export function parseUpArguments(argv: string[]): UpArguments {
    const out: UpArguments = { destroy: false, refresh: false, json: false, help: false };
    for (const a of argv) {
        if (a === "--destroy") out.destroy = true;
        else if (a === "--refresh") out.refresh = true;
        else if (a === "--json") out.json = true;
        else if (a === "--help" || a === "-h") out.help = true;
        else throw new Error(`unknown option ${a}; npm run up takes --refresh, --destroy, --json or --help`);
    }
    if (out.destroy && out.refresh) throw new Error("--refresh and --destroy do not go together: destroy reads every resource as it deletes it");
    return out;
}
