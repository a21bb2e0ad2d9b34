// The shell that runs inside tier containers (through LXD's exec API, never SSH). Each
// script is idempotent: a rerun after a partial failure finishes the job instead of failing
// on what is already done.

/** Writes daemon.json from $DAEMON_JSON, restarts dockerd and waits until it answers. */
export const configureDockerScript = [
    "set -e",
    'printf "%s\\n" "$DAEMON_JSON" > /etc/docker/daemon.json',
    "systemctl restart docker",
    "for i in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done",
    "docker info --format '{{.DockerRootDir}} {{.Driver}} {{.Labels}}'",
].join("\n");

/** Starts a swarm (unless this node is in one) and prints the worker and manager join tokens. */
export const swarmInitScript = [
    "set -e",
    "state=$(docker info --format '{{.Swarm.LocalNodeState}}')",
    'if [ "$state" != active ]; then docker swarm init --advertise-addr eth0 --listen-addr eth0:2377 >/dev/null; fi',
    "docker swarm join-token -q worker",
    "docker swarm join-token -q manager",
].join("\n");

/** Prints this manager's node ID: the swarm's identity as its other members know it (a new swarm, a new ID). */
export const swarmNodeScript = "docker info --format '{{.Swarm.NodeID}}' | grep .";

/**
 * Joins the swarm at $MANAGER with the token on its standard input (unless already in one,
 * with the address it has, and, when $MANAGER_ID is given, one whose managers include it).
 * The token is on no command line and in no environment: LXD puts an exec's environment on
 * its helper's command line on the host (found by secretsTrace.it), so it comes on stdin, and
 * goes to dockerd's API (POST /swarm/join, as `docker swarm join` sends it) on curl's
 * standard input, written there by the shell's own printf.
 */
export const swarmJoinScript = [
    "set -e",
    "IFS= read -r TOKEN",
    "state=$(docker info --format '{{.Swarm.LocalNodeState}}')",
    // A container made again on its kept docker volume (deleted by hand, then brought back)
    // is in the swarm with the address it had, and LXD gave the new one another: the overlays
    // would never reach it. It leaves and joins again with the address it has.
    "here=$(ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)",
    'if [ "$state" != inactive ] && [ -n "$here" ] && [ "$(docker info --format \'{{.Swarm.NodeAddr}}\')" != "$here" ]; then docker swarm leave --force >/dev/null; state=inactive; fi',
    // A swarm that is gone (its first manager made again without its docker volume started a
    // new one): the node still lists the old manager, never reachable again. It leaves that
    // swarm and joins the new one, with dockerd started afresh in between: a dockerd that left
    // one swarm and joined another without a restart kept the old overlays' state, and its
    // tasks resolved no service name, not even their own (seen here: kafka-1 could not find
    // kafka-controller-1 on the same node).
    'if [ "$state" != inactive ] && [ -n "${MANAGER_ID:-}" ]; then',
    "  case \" $(docker info --format '{{range .Swarm.RemoteManagers}}{{.NodeID}} {{end}}') \" in *\" $MANAGER_ID \"*) ;; *)",
    "    docker swarm leave --force >/dev/null",
    "    systemctl restart docker",
    "    for i in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done",
    "    state=inactive ;;",
    "  esac",
    "fi",
    'if [ "$state" != active ]; then',
    `  case "$TOKEN$MANAGER" in *'"'*|*'\\'*) echo "swarm join: the token or manager address holds a quote" >&2; exit 1 ;; esac`,
    `  printf '{"ListenAddr":"eth0:2377","AdvertiseAddr":"eth0","RemoteAddrs":["%s"],"JoinToken":"%s"}' "$MANAGER" "$TOKEN" |`,
    "    curl -sS --fail-with-body --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' --data-binary @- http://localhost/swarm/join >/dev/null",
    "fi",
    "docker info --format '{{.Swarm.NodeID}}'",
].join("\n");

/**
 * Leaves the swarm. A manager demotes itself first, so the managers that stay keep their
 * quorum (the last manager cannot be demoted and simply ends the swarm). Never fails: the
 * container may be half gone.
 */
export const swarmLeaveScript = [
    'id=$(docker info --format "{{.Swarm.NodeID}}" 2>/dev/null || true)',
    'if [ -n "$id" ] && [ "$(docker info --format "{{.Swarm.ControlAvailable}}" 2>/dev/null)" = true ]; then docker node demote "$id" >/dev/null 2>&1 || true; fi',
    "docker swarm leave --force >/dev/null 2>&1 || true",
].join("\n");

/** Splits the init script's output into its two tokens, failing clearly on anything else. */
export function parseJoinTokens(stdout: string): { worker: string; manager: string } {
    const lines = stdout.trim().split(/\s+/);
    const token = /^SWMTKN-1-[a-z0-9]+-[a-z0-9]+$/;
    if (lines.length !== 2 || !lines.every((l) => token.test(l))) {
        throw new Error(`swarm init printed no pair of join tokens (got ${lines.length} word(s)); check dockerd in the first manager`);
    }
    return { worker: lines[0], manager: lines[1] };
}
