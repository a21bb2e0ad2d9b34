import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

export interface StaleNodesArgs {
    /** The manager's dockerd, `unix:///…sock` (the gateway's socket on the controller). */
    dockerHost: pulumi.Input<string>;
    /** Each member container's LXD uuid: a new one (a container made again) runs the cleanup again. */
    members: pulumi.Input<string>[];
}

/**
 * Which entries of `docker node ls --format '{{.ID}} {{.Hostname}} {{.Status}} {{.ManagerStatus}}'`
 * (on standard input) are left over: Down, under a hostname that also has a Ready entry. Prints
 * "<id> <hostname> <manager status>" for each, and "wait" first while a hostname has more than
 * one entry that is not Down (the manager has not yet seen the old node go: its heartbeats
 * stop only some seconds after the container did).
 */
const selectStale = [
    "awk '",
    "  { n[$2]++; if ($3 == \"Ready\") ready[$2]++; else if ($3 != \"Down\") other[$2]++; id[NR] = $1; host[NR] = $2; status[NR] = $3; manager[NR] = $4 }",
    "  END {",
    "    for (h in n) if (n[h] > 1 && ready[h] + other[h] > 1) { print \"wait\"; exit }",
    "    for (i = 1; i <= NR; i++) if (status[i] == \"Down\" && ready[host[i]] > 0) print id[i], host[i], manager[i]",
    "  }'",
].join("\n");

/**
 * Removes the swarm's entries for nodes that are gone for good. A member container deleted by
 * hand and made again by the next `up` joins as a new node under the same hostname; its old
 * entry would stay Down in `docker node ls` forever (and, for a manager, count against the
 * quorum as unreachable). Only an entry whose hostname has a Ready one is touched: a node that
 * is merely stopped keeps its place. A manager entry is demoted first, as Docker requires.
 */
export const staleNodesScript = [
    "set -eu",
    'export DOCKER_HOST="$TARGET_DOCKER"',
    "for i in $(seq 1 30); do",
    `  stale=$(docker node ls --format '{{.ID}} {{.Hostname}} {{.Status}} {{.ManagerStatus}}' | ${selectStale})`,
    '  [ "$stale" != wait ] && break',
    '  [ "$i" = 30 ] && { echo "swarm: a hostname still has two live entries after a minute; nothing removed" >&2; exit 0; }',
    "  sleep 2",
    "done",
    'printf "%s\\n" "$stale" | while read -r id host manager; do',
    '  [ -n "$id" ] || continue',
    '  if [ -n "$manager" ]; then docker node demote "$id" >/dev/null; fi',
    '  docker node rm --force "$id" >/dev/null',
    '  echo "removed the stale swarm entry $id of $host"',
    "done",
].join("\n");

/** Runs `staleNodesScript` on the controller against the manager whenever a member container is new. */
export class StaleSwarmNodes extends pulumi.ComponentResource {
    /** What the last run removed, one line per entry (empty when nothing was stale). */
    public readonly removed: pulumi.Output<string>;

    constructor(name: string, args: StaleNodesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bcm:swarm:StaleSwarmNodes", name, {}, opts);
        const cleanup = new command.local.Command(
            `${name}-cleanup`,
            {
                create: staleNodesScript,
                interpreter: ["/bin/sh", "-c"],
                environment: { TARGET_DOCKER: args.dockerHost },
                triggers: [args.dockerHost, ...args.members],
            },
            { parent: this },
        );
        this.removed = cleanup.stdout.apply((s) => s.trim());
        this.registerOutputs({ removed: this.removed });
    }
}
