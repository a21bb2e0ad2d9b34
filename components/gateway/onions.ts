// The gateway's onion services: a key per service and per client, from random seeds kept
// (encrypted) in the stack's state, so addresses survive redeploys; the keys reach Tor as
// Swarm secrets named after their content.
import { createHash } from "node:crypto";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { clientAuthorization, onionServiceKey } from "../tor/onion";

/** A service the data center publishes as a v3 onion service, with client authorization. */
export interface GatewayOnionService {
    /** Its name: the key and directory names derive from it. */
    name: string;
    /** The port on the .onion address. */
    virtualPort: number;
    /** `service:port` on the gateway overlay. */
    target: string;
    /** Names of the clients allowed in; each gets its own key. At least one, unless `public`. */
    clients: string[];
    /** Open to anyone who learns its address (a node's P2P port, a Lightning node's peers): only then may `clients` be empty. */
    public?: boolean;
}

/** A published onion service: its address and, per client, the line for their ClientOnionAuthDir. */
export interface PublishedOnion {
    address: string;
    clientAuthLines: Record<string, string>;
}

/** One onion service's secrets, as Tor mounts them. */
export interface OnionSecrets {
    service: GatewayOnionService;
    /** Tor's `hs_ed25519_secret_key` file. */
    key: docker.Secret;
    /** The `authorized_clients` lines, one per client; none for a public service. */
    clients?: docker.Secret;
    onion: pulumi.Output<PublishedOnion>;
}

/** Refuses a service that would be open to anyone without saying so. */
export function checkOnionServices(services: GatewayOnionService[]): void {
    services.forEach((s, i) => {
        if (s.clients.length === 0 && !s.public) {
            throw new Error(`gateway onionServices[${i}].clients: list at least one client, or set public: true; an onion service without authorization is open to anyone`);
        }
    });
}

const digest = (data: string) => createHash("sha256").update(data).digest("hex").slice(0, 12);

/**
 * Keys and Swarm secrets of every onion service. `child` names the resources; `onDocker`
 * puts the secrets on the swarm's provider (content-named: made before the old ones go).
 */
export function onionSecrets(child: (role: string) => string, services: GatewayOnionService[], parent: pulumi.Resource, onDocker: pulumi.CustomResourceOptions): OnionSecrets[] {
    return services.map((s) => {
        const seed = new random.RandomBytes(child(`onion-${s.name}-seed`), { length: 32 }, { parent });
        const key = seed.base64.apply((b) => onionServiceKey(Buffer.from(b, "base64")));
        const clients = s.clients.map((c) => {
            const clientSeed = new random.RandomBytes(child(`onion-${s.name}-client-${c}`), { length: 32 }, { parent });
            return pulumi.all([key, clientSeed.base64]).apply(([k, b]) => ({ name: c, auth: clientAuthorization(k.address, Buffer.from(b, "base64")) }));
        });
        const secretData = key.apply((k) => Buffer.from(k.secretKeyFile).toString("base64"));
        const clientsText = pulumi.all(clients).apply((cs) => cs.map((c) => c.auth.serviceLine).join("\n") + "\n");
        // Swarm secrets are immutable: a content-derived name makes a change a new secret.
        const keySecret = new docker.Secret(
            child(`onion-${s.name}-key`),
            { name: secretData.apply((d) => `bcm-onion-${s.name}-key-${digest(d)}`), data: pulumi.secret(secretData) },
            onDocker,
        );
        const clientSecret =
            s.clients.length === 0
                ? undefined
                : new docker.Secret(
                      child(`onion-${s.name}-clients`),
                      {
                          name: clientsText.apply((t) => `bcm-onion-${s.name}-clients-${digest(t)}`),
                          data: pulumi.secret(clientsText.apply((t) => Buffer.from(t).toString("base64"))),
                      },
                      onDocker,
                  );
        const onion = pulumi.all([key, pulumi.all(clients)]).apply(([k, cs]) => ({
            address: k.address,
            clientAuthLines: Object.fromEntries(cs.map((c) => [c.name, c.auth.clientLine])),
        }));
        return { service: s, key: keySecret, ...(clientSecret ? { clients: clientSecret } : {}), onion };
    });
}
