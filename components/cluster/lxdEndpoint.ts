import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { LxdClient } from "../lxd/client/client";
import { defaultSocketPath, normalizeFingerprint } from "../lxd/client/endpoint";
import { messageOf } from "../lxd/client/errors";
import {
    BridgeOptions,
    StorageDriverChoice,
    defaultLxdDir,
    httpsAddress,
    httpsUrl,
    parseFacts,
    remoteCommand,
    renderInstallScript,
    renderPreseedScript,
    renderTrustScript,
    renderUntrustScript,
} from "./bootstrap";

/** How the controller reaches a host over SSH (the fields of @pulumi/command's remote connection). */
export interface SshConnectionArgs {
    /** The host's address or name. */
    host: pulumi.Input<string>;
    /** The SSH port (default 22). */
    port?: pulumi.Input<number>;
    /** The user (default root; any other user runs the scripts through `sudo -n`). */
    user?: pulumi.Input<string>;
    /** A private key (PEM or OpenSSH); pass it as a secret (the whole connection is stored as one). */
    privateKey?: pulumi.Input<string>;
    /** The private key's passphrase, if it has one. */
    privateKeyPassword?: pulumi.Input<string>;
    /** An ssh-agent socket (default SSH_AUTH_SOCK), used when no private key is given: a Trezor-backed agent, say. */
    agentSocketPath?: pulumi.Input<string>;
    /** The host's public key (`ssh-ed25519 AAAA...`) to pin; without it any host key is accepted (with a warning). */
    hostKey?: pulumi.Input<string>;
}

/** The bridge an `ssh` host gets (`lxd init --preseed`). */
export interface LxdBridgeArgs {
    /** Network and interface name (default lxdbr0). */
    name?: pulumi.Input<string>;
    /** The bridge's own address with prefix (`10.0.3.1/24`), or "auto" (the default: LXD picks a free subnet). */
    ipv4Address?: pulumi.Input<string>;
    /** NAT for the bridge's subnet (default true). */
    ipv4Nat?: pulumi.Input<boolean>;
}

export interface LxdEndpointArgs {
    /**
     * "local": the controller's own daemon over its unix socket (standalone; nothing is
     * installed, the daemon is checked to answer). "ssh": a host bootstrapped over SSH
     * (LXD installed when missing, preseeded, the controller's certificate trusted) and
     * then used over HTTPS. Plain, not an Input: it decides which resources exist.
     */
    mode: "local" | "ssh";
    /** The endpoint's name in its cluster (a host name; plain, because placement needs it); default the resource name. */
    endpointName?: string;
    /** local: the daemon's unix socket (default /var/lib/lxd/unix.socket). */
    socketPath?: pulumi.Input<string>;
    /** Check when the program runs that the daemon answers and trusts us (default true). */
    verify?: pulumi.Input<boolean>;
    /** ssh: how to reach the host. */
    connection?: pulumi.Input<SshConnectionArgs>;
    /** ssh: the address LXD listens on for HTTPS (core.https_address) and the controller connects to; default the SSH host. */
    address?: pulumi.Input<string>;
    /** ssh: the HTTPS port (default 8443). */
    httpsPort?: pulumi.Input<number>;
    /** ssh: the controller's client certificate (PEM), trusted on the host. */
    clientCertificate?: pulumi.Input<string>;
    /** ssh: the client certificate's private key (PEM); kept secret in the state. */
    clientKey?: pulumi.Input<string>;
    /** ssh: the certificate's name in the host's trust store (default `bcm-controller`). */
    trustName?: pulumi.Input<string>;
    /** ssh: LXD_DIR of the daemon on the host (default /var/lib/lxd); another one is a second daemon, which must already run. */
    lxdDir?: pulumi.Input<string>;
    /** ssh: install missing Debian packages (lxd lxd-client dnsmasq-base btrfs-progs) with apt-get (default true). */
    installPackages?: pulumi.Input<boolean>;
    /** ssh: the storage pool of the default profile (default "default"); created when missing. */
    storagePool?: pulumi.Input<string>;
    /** ssh: the driver of a pool that is created: "auto" (btrfs when the host can, dir otherwise; the default), "btrfs" or "dir". */
    storageDriver?: pulumi.Input<StorageDriverChoice>;
    /** ssh: the bridge of the default profile; created when missing. */
    bridge?: pulumi.Input<LxdBridgeArgs>;
}

/** An endpoint as LXD resources take it (`EndpointArgs` of components/lxd), every field an Output. */
export interface LxdEndpointConnection {
    /** `unix:///var/lib/lxd/unix.socket` or `https://host:8443`. */
    url: pulumi.Output<string>;
    /** https: the client certificate (PEM). */
    clientCertificate?: pulumi.Output<string>;
    /** https: the client key (PEM), secret. */
    clientKey?: pulumi.Output<string>;
    /** https: the pinned server certificate fingerprint. */
    serverFingerprint?: pulumi.Output<string>;
}

/** What the local probe found. */
interface LocalFacts {
    url: string;
    storageDriver: string;
    serverVersion: string;
}

/** A valid endpoint name: lower-case letters, digits and dashes, as in a host name. */
export function checkEndpointName(name: string): string {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
        throw new Error(`LXD endpoint name "${name}" must be lower-case letters, digits and dashes (a host name), at most 63 characters`);
    }
    return name;
}

/**
 * Asks the local daemon over its socket whether it answers and trusts us, and which
 * driver the default profile's root pool has.
 */
export async function probeLocalDaemon(socketPath: string): Promise<LocalFacts> {
    const url = `unix://${socketPath}`;
    const client = new LxdClient({ url });
    try {
        const info = await client.connect();
        const profile = await client.get<{ devices?: Record<string, Record<string, string>> }>("/1.0/profiles/default");
        const pool = profile.devices?.root?.pool;
        const driver = pool ? (await client.get<{ driver: string }>(`/1.0/storage-pools/${encodeURIComponent(pool)}`)).driver : "none";
        return { url, storageDriver: driver, serverVersion: info.environment?.server_version ?? "unknown" };
    } catch (err) {
        throw new Error(
            `LXD endpoint (local): the daemon on ${socketPath} does not answer: ${messageOf(err)}; ` +
                "is LXD installed and running? (scripts/host/ensure-lxd.sh installs, starts and initialises it)",
        );
    } finally {
        client.close();
    }
}

/** Checks over HTTPS that the bootstrapped daemon answers, presents the pinned certificate and trusts us. */
export async function verifyHttpsEndpoint(e: { url: string; clientCertificate: string; clientKey: string; serverFingerprint: string }): Promise<void> {
    const client = new LxdClient(e);
    try {
        await client.connect();
    } catch (err) {
        throw new Error(`LXD endpoint ${e.url}: bootstrapped, but the HTTPS check failed: ${messageOf(err)}`);
    } finally {
        client.close();
    }
}

/** The server fingerprint from the trust script's output, or an error saying what came back. */
export function serverFingerprintFrom(stdout: string): string {
    const fp = normalizeFingerprint(parseFacts(stdout).server_fingerprint ?? "");
    if (!/^[0-9a-f]{64}$/.test(fp)) {
        throw new Error(`the trust step did not report the server certificate fingerprint (stdout: ${JSON.stringify(stdout.slice(0, 200))})`);
    }
    return fp;
}

/**
 * A host running LXD, as the cluster's resources reach it: `endpoint` is what every LXD
 * resource (components/lxd) takes. In `local` mode that is the controller's own unix
 * socket; in `ssh` mode the host is bootstrapped over SSH with three idempotent
 * `remote.Command`s (`-install`, `-preseed`, `-trust`) and then reached over HTTPS with
 * the controller's client certificate and the host's pinned certificate fingerprint.
 * Destroying the endpoint removes the certificate from the host's trust store; LXD stays
 * installed and initialised.
 */
export class LxdEndpoint extends pulumi.ComponentResource {
    /** The endpoint's name in its cluster (plain, for placement). */
    public readonly endpointName: string;
    /** "local" or "ssh". */
    public readonly mode: "local" | "ssh";
    /** The endpoint's name. */
    public readonly name: pulumi.Output<string>;
    /** The endpoint for LXD resources: `{ url, clientCertificate, clientKey (secret), serverFingerprint }`. */
    public readonly endpoint: LxdEndpointConnection;
    /** The storage driver of the default profile's root pool ("btrfs", "dir" ...; "unknown" when not verified). */
    public readonly storageDriver: pulumi.Output<string>;

    constructor(name: string, args: LxdEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        const endpointName = checkEndpointName(args.endpointName ?? name);
        super("bcm:cluster:LxdEndpoint", name, { mode: args.mode, endpointName }, opts);
        this.endpointName = endpointName;
        this.mode = args.mode;
        this.name = pulumi.output(endpointName);
        const verify = pulumi.output(args.verify ?? true);

        if (args.mode === "local") {
            const socketPath = pulumi.output(args.socketPath ?? defaultSocketPath);
            const facts = pulumi
                .all([socketPath, verify])
                .apply(
                    async ([p, v]): Promise<LocalFacts> =>
                        v ? probeLocalDaemon(p) : { url: `unix://${p}`, storageDriver: "unknown", serverVersion: "unknown" },
                );
            this.endpoint = { url: facts.url };
            this.storageDriver = facts.storageDriver;
        } else if (args.mode === "ssh") {
            const r = this.bootstrapOverSsh(name, args, verify);
            this.endpoint = r.endpoint;
            this.storageDriver = r.storageDriver;
        } else {
            throw new Error(`LXD endpoint ${name}: mode must be "local" or "ssh", got ${JSON.stringify((args as { mode: unknown }).mode)}`);
        }

        this.registerOutputs({
            name: this.name,
            mode: this.mode,
            url: this.endpoint.url,
            serverFingerprint: this.endpoint.serverFingerprint,
            storageDriver: this.storageDriver,
        });
    }

    private bootstrapOverSsh(
        name: string,
        args: LxdEndpointArgs,
        verify: pulumi.Output<boolean>,
    ): { endpoint: LxdEndpointConnection; storageDriver: pulumi.Output<string> } {
        for (const field of ["connection", "clientCertificate", "clientKey"] as const) {
            if (args[field] === undefined) {
                throw new Error(`LXD endpoint ${name}: mode "ssh" needs ${field}`);
            }
        }
        const conn = pulumi.output(args.connection!);
        const connection = pulumi.secret(
            conn.apply((c) => ({
                host: c.host,
                port: c.port ?? 22,
                user: c.user ?? "root",
                privateKey: c.privateKey,
                privateKeyPassword: c.privateKeyPassword,
                agentSocketPath: c.agentSocketPath,
                hostKey: c.hostKey,
            })),
        );
        // The connection is secret as a whole (it holds the key); its host and user are not,
        // and keeping them plain keeps the scripts and their output readable in the state.
        const sudo = pulumi.unsecret(conn.apply((c) => (c.user ?? "root") !== "root"));
        const host = pulumi.unsecret(conn.apply((c) => c.host));
        const lxdDir = pulumi.output(args.lxdDir ?? defaultLxdDir);
        const address = pulumi.output(args.address ?? host);
        const port = pulumi.output(args.httpsPort ?? 8443);
        const certificate = pulumi.output(args.clientCertificate!);
        const clientKey = pulumi.secret(args.clientKey!);
        const trustName = pulumi.output(args.trustName ?? "bcm-controller");
        const common = { connection, addPreviousOutputInEnv: false, logging: "stderr" as const };

        const install = new command.remote.Command(
            `${name}-install`,
            {
                ...common,
                create: pulumi
                    .all([lxdDir, args.installPackages ?? true, sudo])
                    .apply(([dir, installPackages, s]) => remoteCommand(renderInstallScript({ lxdDir: dir, installPackages }), s)),
            },
            { parent: this },
        );

        const bridge = pulumi.output(args.bridge ?? {});
        const preseed = new command.remote.Command(
            `${name}-preseed`,
            {
                ...common,
                create: pulumi
                    .all([lxdDir, address, port, args.storagePool ?? "default", args.storageDriver ?? "auto", bridge, sudo])
                    .apply(([dir, addr, p, pool, driver, b, s]) => {
                        const bridgeOptions: BridgeOptions = {
                            name: b.name ?? "lxdbr0",
                            ipv4Address: b.ipv4Address ?? "auto",
                            ipv4Nat: b.ipv4Nat ?? true,
                        };
                        const script = renderPreseedScript({
                            lxdDir: dir,
                            httpsAddress: httpsAddress(addr, p),
                            storagePool: pool,
                            storageDriver: driver,
                            bridge: bridgeOptions,
                        });
                        return remoteCommand(script, s);
                    }),
            },
            { parent: this, dependsOn: [install] },
        );

        // A changed certificate, host or daemon replaces the trust (the old one is removed
        // first: its delete command names the old certificate and host).
        const trust = new command.remote.Command(
            `${name}-trust`,
            {
                ...common,
                create: pulumi
                    .all([lxdDir, certificate, trustName, sudo])
                    .apply(([dir, cert, n, s]) => remoteCommand(renderTrustScript({ lxdDir: dir, certificate: cert, name: n }), s)),
                delete: pulumi
                    .all([lxdDir, certificate, sudo])
                    .apply(([dir, cert, s]) => remoteCommand(renderUntrustScript({ lxdDir: dir, certificate: cert }), s)),
                triggers: [host, lxdDir, certificate, trustName],
            },
            { parent: this, dependsOn: [preseed], deleteBeforeReplace: true },
        );

        const serverFingerprint = trust.stdout.apply(serverFingerprintFrom);
        const url = pulumi.all([address, port]).apply(([a, p]) => httpsUrl(a, p));
        // The URL resolves only after the HTTPS check, so every resource on this endpoint
        // waits for a daemon that answers and trusts us.
        const checkedUrl = pulumi
            .all([url, certificate, clientKey, serverFingerprint, verify])
            .apply(async ([u, cert, key, fp, v]) => {
                if (v) {
                    await verifyHttpsEndpoint({ url: u, clientCertificate: cert, clientKey: key, serverFingerprint: fp });
                }
                return u;
            });
        const storageDriver = preseed.stdout.apply((out) => parseFacts(out).storage_driver ?? "unknown");
        return {
            endpoint: { url: pulumi.unsecret(checkedUrl), clientCertificate: certificate, clientKey, serverFingerprint },
            storageDriver,
        };
    }
}
