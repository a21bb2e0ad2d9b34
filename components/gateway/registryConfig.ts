// The private registry's two configurations (Debian's docker-registry, CNCF distribution 2.8),
// rendered as plain functions so they are tested without a swarm. Both run on the same
// storage on the first gateway container:
// - `registry` serves pulls: read-only (distribution's maintenance mode refuses every write),
//   no credentials, deletes off; the data center's dockerds pull from it on 127.0.0.1:5010;
// - `registry-push` takes pushes, only with credentials (htpasswd, bcrypt), deletes off; the
//   controller pushes through it (SwarmImage, `docker login --password-stdin`) and through the
//   registry's onion service.

/** Where the push registry reads its htpasswd file (a swarm secret). */
export const htpasswdPath = "/run/secrets/registry-htpasswd";

/** The user the push registry knows; its password is random, in the stack's encrypted state. */
export const registryPushUser = "bcm";

export type RegistryRole = "pull" | "push";

/** The config.yml of one role. */
export function registryConfig(role: RegistryRole): string {
    return [
        "# BCM's private registry, " + (role === "pull" ? "pull side: read-only, no credentials" : "push side: htpasswd credentials") + "; deletes off.",
        "version: 0.1",
        "log:",
        "  level: info",
        "  formatter: text",
        "  fields:",
        `    service: registry-${role}`,
        "storage:",
        "  filesystem:",
        "    rootdirectory: /var/lib/docker-registry",
        "  delete:",
        "    enabled: false",
        "  cache:",
        "    blobdescriptor: inmemory",
        "  maintenance:",
        "    readonly:",
        `      enabled: ${role === "pull"}`,
        "    uploadpurging:",
        `      enabled: ${role === "push"}`,
        // distribution needs every field once the section is there (its defaults: a week, daily).
        "      age: 168h",
        "      interval: 24h",
        "      dryrun: false",
        ...(role === "push" ? ["auth:", "  htpasswd:", "    realm: bcm-registry", `    path: ${htpasswdPath}`] : []),
        "http:",
        "  addr: :5000",
        "  headers:",
        "    X-Content-Type-Options: [nosniff]",
        "",
    ].join("\n");
}

/** The htpasswd line distribution accepts: `user:<bcrypt hash>` (it accepts bcrypt only). */
export function htpasswdLine(user: string, bcryptHash: string): string {
    if (!/^[a-z][a-z0-9_-]*$/.test(user)) throw new Error(`registry user "${user}": lower-case letters, digits, '-' and '_'`);
    if (!/^\$2[aby]?\$\d{2}\$[./A-Za-z0-9]{53}$/.test(bcryptHash)) throw new Error("registry htpasswd: the hash is not bcrypt, which is all distribution accepts");
    return `${user}:${bcryptHash}\n`;
}
