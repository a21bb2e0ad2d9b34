import * as pulumi from "@pulumi/pulumi";

/**
 * Which LXD daemon a resource lives on, given to every resource (there is no provider
 * configuration: this SDK's provider server ignores it). Leave it out for the local daemon
 * over its unix socket.
 */
export interface EndpointArgs {
    /** `unix:///var/lib/lxd/unix.socket` (the default) or `https://host:8443`. */
    url?: pulumi.Input<string>;
    /** For https: the client certificate (PEM) the daemon trusts. */
    clientCertificate?: pulumi.Input<string>;
    /** For https: the client certificate's private key (PEM); pass it as a secret (it is stored as one either way). */
    clientKey?: pulumi.Input<string>;
    /** For https: the SHA-256 fingerprint of the daemon's certificate, pinned instead of checking hostnames. */
    serverFingerprint?: pulumi.Input<string>;
}

/** The endpoint as recorded in a resource's outputs (the key stays secret). */
export interface EndpointOutput {
    url: string;
    clientCertificate?: string;
    clientKey?: string;
    serverFingerprint?: string;
}
