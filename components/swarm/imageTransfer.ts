import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

export interface SwarmImageArgs {
    /** The image on the controller's dockerd, built by images/docker/build.sh (a content-hash tag). */
    source: pulumi.Input<string>;
    /** The manager's dockerd, `unix:///…sock` (the gateway's LXD proxy socket). */
    dockerHost: pulumi.Input<string>;
    /** The registry as seen from the manager (e.g. "127.0.0.1:5010"): the image is tagged `<registry>/<source>` there; omit to keep the source name. */
    registry?: pulumi.Input<string>;
    /** Push it to that registry (default true); false only tags it, for the registry's own image, which must run before anything can be pushed. */
    push?: boolean;
    /**
     * Where pushes go, with credentials (the gateway's `registry-push`, e.g. "127.0.0.1:5011"):
     * it shares its storage with `registry`, so the pushed image is pulled from there. The
     * password reaches `docker login` on standard input, into a configuration directory that
     * is deleted after the push; the load and push run without it (loginThenTransferScript).
     */
    pushTo?: { registry: pulumi.Input<string>; user: pulumi.Input<string>; password: pulumi.Input<string> };
    /**
     * What the image must be transferred again after when it changes: the manager's swarm node
     * ID (a new dockerd, without the image) for a load, the registry service's ID (a registry
     * made again, perhaps on empty storage) for a push.
     */
    renewedBy?: pulumi.Input<string>;
}

/** Environment variables that hold secrets: the push password, and the stack's passphrase, which the engine's plugins (and so every local command) inherit. */
export const secretVariables = ["REGISTRY_PASSWORD", "PULUMI_CONFIG_PASSPHRASE"] as const;

/**
 * Loads, tags and pushes; each step is safe to repeat, and the push retries while the registry
 * starts. Runs without any of `secretVariables`: loading and pushing an image can take minutes,
 * and no process that lives that long holds a secret (test/datacenter/secretsTrace.it).
 */
export const transferScript = [
    "set -eu",
    // The login's configuration directory (never a DOCKER_CONFIG the controller had) goes at the end.
    'trap \'if [ -n "${BCM_LOGIN_DIR:-}" ]; then rm -rf "$BCM_LOGIN_DIR"; fi\' EXIT',
    'docker image inspect "$SOURCE" >/dev/null 2>&1 || { echo "image $SOURCE is not on the controller: run images/docker/build.sh" >&2; exit 1; }',
    'if ! docker -H "$TARGET_DOCKER" image inspect "$SOURCE" >/dev/null 2>&1; then docker save "$SOURCE" | docker -H "$TARGET_DOCKER" load -q >/dev/null; fi',
    'if [ -n "${REGISTRY:-}" ]; then',
    '  ref="$REGISTRY/$SOURCE"',
    '  docker -H "$TARGET_DOCKER" tag "$SOURCE" "$ref"',
    '  if [ "$PUSH" = true ]; then',
    '    to="${PUSH_REGISTRY:-$REGISTRY}"',
    '    pushed="$to/$SOURCE"',
    '    docker -H "$TARGET_DOCKER" tag "$SOURCE" "$pushed"',
    '    for i in $(seq 1 30); do docker -H "$TARGET_DOCKER" push -q "$pushed" >/dev/null 2>&1 && break; [ "$i" = 30 ] && { docker -H "$TARGET_DOCKER" push "$pushed" >&2; exit 1; }; sleep 2; done',
    // The digest pins the content, and it is what the docker provider records for a service; it is
    // named on the pull side, which serves the same storage.
    '    docker -H "$TARGET_DOCKER" image inspect --format "{{range .RepoDigests}}{{println .}}{{end}}" "$pushed" | grep -m1 "^$to/" | sed "s#^$to/#$REGISTRY/#" || echo "$ref"',
    "  else",
    '    echo "$ref"',
    "  fi",
    "else",
    '  echo "$SOURCE"',
    "fi",
].join("\n");

/**
 * What the command runs: with credentials, `docker login` first (the password on its standard
 * input, printf being the shell's own, into a configuration directory of this run only, which
 * the transfer removes at its end), retried while the registry starts; then the transfer in a
 * shell of its own without the secrets (`exec env -u`), so the shell that held them ends here.
 */
export const loginThenTransferScript = [
    "set -eu",
    'if [ "${PUSH:-}" = true ] && [ -n "${REGISTRY:-}" ] && [ -n "${REGISTRY_USER:-}" ]; then',
    '  to="${PUSH_REGISTRY:-$REGISTRY}"',
    '  BCM_LOGIN_DIR=$(mktemp -d); DOCKER_CONFIG=$BCM_LOGIN_DIR; export BCM_LOGIN_DIR DOCKER_CONFIG',
    '  for i in $(seq 1 30); do printf "%s" "$REGISTRY_PASSWORD" | docker -H "$TARGET_DOCKER" login --username "$REGISTRY_USER" --password-stdin "$to" >/dev/null 2>&1 && break; [ "$i" = 30 ] && { rm -rf "$BCM_LOGIN_DIR"; echo "docker login to $to failed" >&2; exit 1; }; sleep 2; done',
    "fi",
    `exec env ${secretVariables.map((v) => `-u ${v}`).join(" ")} /bin/sh -c "$TRANSFER_SCRIPT"`,
].join("\n");

/**
 * An image the project built, made available to the swarm: loaded into the manager's dockerd
 * over its socket and pushed to the private registry, from which every node pulls (they reach
 * it on 127.0.0.1:5010 through an LXD proxy device). Nothing comes from a public registry.
 */
export class SwarmImage extends pulumi.ComponentResource {
    /** The reference services use: `<registry>/<repository>@sha256:…` once pushed, `<registry>/<source>` when only tagged, or the source when only loaded. */
    public readonly ref: pulumi.Output<string>;

    constructor(name: string, args: SwarmImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bcm:swarm:SwarmImage", name, {}, opts);
        const transfer = new command.local.Command(
            `${name}-transfer`,
            {
                create: loginThenTransferScript,
                interpreter: ["/bin/sh", "-c"],
                environment: {
                    TRANSFER_SCRIPT: transferScript,
                    SOURCE: args.source,
                    TARGET_DOCKER: args.dockerHost,
                    REGISTRY: args.registry ?? "",
                    PUSH: String(args.push ?? true),
                    ...(args.pushTo
                        ? { PUSH_REGISTRY: args.pushTo.registry, REGISTRY_USER: args.pushTo.user, REGISTRY_PASSWORD: pulumi.secret(args.pushTo.password) }
                        : {}),
                },
                // A new image, a new registry or dockerd (the gateway rebuilt) transfers again.
                triggers: [args.source, args.dockerHost, args.registry ?? "", args.pushTo?.registry ?? "", ...(args.renewedBy ? [args.renewedBy] : [])],
            },
            { parent: this },
        );
        this.ref = transfer.stdout.apply((s) => s.trim());
        this.registerOutputs({ ref: this.ref });
    }
}
