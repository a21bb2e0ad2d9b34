import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as lxd from "../lxd/resources";
import { SwarmService } from "../swarm/swarmService";
import { SystemContainerTier } from "../tier/systemContainerTier";
import { chainDataVolume, fileSecret } from "./bitcoinTier";
import { Chain, Implementation } from "./chains";
import { RpcCredentials } from "./config";
import { electrumConf, electrumHealthcheck, electrumIndexDir, electrumMemory, electrumPaths, electrumPort, electrumServiceName, electrumUid } from "./electrumConfig";

export interface ElectrumServerArgs {
    /** The bitcoin tier's system containers; the index lives on the first one's kept chain volume, beside the node's data. */
    tier: SystemContainerTier;
    /** The swarm's docker provider (the gateway's). */
    docker: docker.Provider;
    /** The tier's internal overlay, where the node, lnd and the gateway's Tor are (Tor reaches the server there for its onion service). */
    network: docker.Network;
    chain: Chain;
    /** The node it indexes: btcd (RPC with TLS) or bitcoind (plain HTTP on the overlay). */
    implementation: Implementation;
    /** The bcm/electrum image in the private registry. */
    image: pulumi.Input<string>;
    /** The node's RPC credentials (secret); they reach the server in a Swarm secret only. */
    rpc: pulumi.Input<RpcCredentials>;
    /** btcd's RPC certificate, which the server pins (btcd only). */
    rpcCert?: pulumi.Input<string>;
    /** The node's service: the server starts after it. */
    node: pulumi.Resource;
}

/**
 * bcm-electrum (services/electrum) on the bitcoin tier: it indexes the tier's node over RPC
 * on the tier's overlay into a directory of the kept chain volume, and serves the Electrum
 * protocol on that overlay only. It publishes no port: wallets reach it through the
 * gateway's onion service with client authorization (`electrumOnionService`). Its settings,
 * with the RPC password, and btcd's certificate are Swarm secrets owned by its user.
 */
export class ElectrumServer extends pulumi.ComponentResource {
    /** The swarm service. */
    public readonly service: SwarmService;
    /** Its name: also its DNS name on the overlay and its onion service's name. */
    public readonly serviceName: string;
    /** `service:port` on the tier's overlay. */
    public readonly address: string;

    constructor(name: string, args: ElectrumServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bcm:bitcoin:ElectrumServer", name, {}, opts);
        const first = args.tier.members[0];
        if (!first) throw new Error("electrum: the bitcoin tier has no containers; place the tier on at least one endpoint");
        if (args.implementation === "btcd" && args.rpcCert === undefined) throw new Error("electrum: btcd's RPC speaks TLS; give rpcCert, the certificate the tier made");
        const child = (role: string) => `${name}-${role}`;
        const onDocker = { parent: this, provider: args.docker };
        const chain = args.chain;
        this.serviceName = electrumServiceName(chain);
        this.address = `${this.serviceName}:${electrumPort}`;
        const indexDir = electrumIndexDir(chainDataVolume(chain, false).path);

        // The index directory on the kept volume, owned by the image's user (like the node's and lnd's).
        const dir = new lxd.Exec(
            child("index-dir"),
            {
                instance: first.instance.name,
                create: ["sh", "-c", `set -e; mkdir -p ${indexDir}; chown ${electrumUid}:${electrumUid} ${indexDir}; chmod 0700 ${indexDir}`],
                endpoint: first.endpoint,
            },
            { parent: this, dependsOn: args.tier.ready },
        );
        const conf = pulumi.output(args.rpc).apply((rpc) => electrumConf({ chain, implementation: args.implementation, rpc }));
        const secrets = [{ source: fileSecret(child("conf"), "electrum-conf", conf, onDocker), fileName: "electrum.conf", uid: electrumUid }];
        if (args.rpcCert !== undefined) {
            secrets.push({ source: fileSecret(child("btcd-cert"), "electrum-btcd-cert", args.rpcCert, onDocker), fileName: "btcd-rpc.cert", uid: electrumUid });
        }
        this.service = new SwarmService(
            this.serviceName,
            {
                tier: "bitcoin",
                image: args.image,
                args: ["serve", `--config=${electrumPaths.conf}`],
                networks: [{ network: args.network, aliases: [this.serviceName] }],
                secrets,
                binds: { [indexDir]: electrumPaths.data },
                constraints: [`node.hostname == ${first.containerName}`],
                healthcheck: electrumHealthcheck,
                memoryMiB: electrumMemory(chain).taskMiB,
            },
            { ...onDocker, dependsOn: [dir, args.node] },
        );
        this.registerOutputs({ serviceName: this.serviceName, address: this.address });
    }
}
