// The private registry every image of the data center comes from, wired on the first gateway
// container: its image loaded straight into that node's dockerd (nothing runs yet to push to),
// the pull side (read-only) and the push side (credentials), and the images pushed into it.
import { createHash } from "node:crypto";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import * as pulumi from "@pulumi/pulumi";
import { SwarmImage } from "../swarm/imageTransfer";
import { SwarmService } from "../swarm/swarmService";
import { gatewayPorts } from "./ports";
import { htpasswdLine, registryConfig, registryPushUser } from "./registryConfig";
import { GatewayPlacement, registryServices } from "./services";

export interface PrivateRegistryArgs {
    /** The registry image, as built on the controller. */
    source: pulumi.Input<string>;
    /** The first manager's dockerd, as the controller reaches it. */
    dockerHost: pulumi.Input<string>;
    /** The first gateway container's address, where the push side listens for the controller. */
    address: pulumi.Input<string>;
    /** The first manager's swarm node ID: another one is a new dockerd, into which the registry's image is loaded again. */
    managerNodeId: pulumi.Input<string>;
}

export interface PrivateRegistry {
    pull: SwarmService;
    push: SwarmService;
    /** Where pushes go (`address:5011`) and their credentials (the password secret). */
    pushEndpoint: pulumi.Output<{ address: string; user: string; password: string }>;
    /** Pushes an image into the registry once both sides run; its reference as nodes pull it. */
    publish(image: string, source: pulumi.Input<string>): pulumi.Output<string>;
}

/** Names a secret or config after its content, so a new one never takes an old one's name. */
const contentTag = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

export function privateRegistry(
    child: (role: string) => string,
    parent: pulumi.Resource,
    placement: GatewayPlacement,
    contentNamed: pulumi.CustomResourceOptions,
    args: PrivateRegistryArgs,
): PrivateRegistry {
    const registryRef = pulumi.output(`127.0.0.1:${gatewayPorts.registry}`);
    // Tagged with its registry name but not pushed: swarm falls back to the loaded image on this
    // node, and the image is pushed once the registry runs.
    const local = new SwarmImage(child("registry-load"), { source: args.source, dockerHost: args.dockerHost, registry: registryRef, push: false, renewedBy: args.managerNodeId }, { parent });
    // Pushes need credentials: a random password (in the stack's encrypted state), its bcrypt hash in the push side's htpasswd.
    const password = new random.RandomPassword(child("registry-push-password"), { length: 32, special: false }, { parent });
    const config = (role: "pull" | "push") =>
        new docker.ServiceConfig(
            child(`registry-${role}-config`),
            { name: `bcm-registry-${role}-${contentTag(registryConfig(role))}`, data: Buffer.from(registryConfig(role)).toString("base64") },
            contentNamed,
        );
    const htpasswd = password.bcryptHash.apply((h) => htpasswdLine(registryPushUser, h));
    const htpasswdSecret = new docker.Secret(
        child("registry-htpasswd"),
        { name: htpasswd.apply((t) => `bcm-registry-htpasswd-${contentTag(t)}`), data: pulumi.secret(htpasswd.apply((t) => Buffer.from(t).toString("base64"))) },
        contentNamed,
    );
    const { pull, push } = registryServices(placement, local.ref, { pullConfig: config("pull"), pushConfig: config("push"), htpasswd: htpasswdSecret });
    const pushTo = { registry: `127.0.0.1:${gatewayPorts.registryPush}`, user: registryPushUser, password: password.result };
    return {
        pull,
        push,
        pushEndpoint: pulumi.secret(pulumi.all([args.address, password.result]).apply(([a, pw]) => ({ address: `${a}:${gatewayPorts.registryPush}`, user: registryPushUser, password: pw }))),
        publish: (image, source) =>
            // Pushed again into a registry service made again (its storage may be new, as when the
            // gateway's docker volume was lost with it).
            new SwarmImage(child(`${image}-image`), { source, dockerHost: args.dockerHost, registry: registryRef, pushTo, renewedBy: pull.service.id }, { parent, dependsOn: [pull, push] }).ref,
    };
}
