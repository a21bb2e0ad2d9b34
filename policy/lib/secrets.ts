/**
 * What counts as a secret-looking name, and what counts as a reference to a secret rather
 * than the secret itself.
 *
 * Why names and not values: @pulumi/policy 1.21.0 hands resource-validation policies
 * their inputs with Pulumi secrets already unwrapped (server.js calls
 * deserializeProperties(props, false); only remediations get the secret-preserving
 * proxy), so a policy cannot tell `env: { RPC_PASSWORD: pulumi.secret(x) }` from a
 * plaintext literal. Either way the value ends up in the docker service spec, where
 * anyone with access to the daemon reads it back (`docker service inspect`). So a
 * secret-looking key must not carry a value at all: the value goes into a docker secret
 * (docker.Secret, mounted under /run/secrets/) and the key may only point at that file.
 */

/** Words that make a key secret-looking, matched anywhere in the key, case-insensitively. */
export const secretWords = [
    "password",
    "passwd",
    "passphrase",
    "rpcpass",
    "rpcauth",
    "secret",
    "token",
    "private_key",
    "privatekey",
    "privkey",
    "priv_key",
    "mnemonic",
    "seedphrase",
    "seed_phrase",
    "api_key",
    "apikey",
    "macaroon",
    "xprv",
    "credential",
] as const;

/**
 * Whether a key (an env var, a label, a config-file key, a command-line flag) looks like
 * it holds a secret. `-`, `.` and spaces count as `_`, so `bitcoind.rpcpass`,
 * `API-KEY` and `api_key` all match; "seed" must be a word of its own (SEED, WALLET_SEED,
 * seed) so that SEEDNODE or addseednode do not.
 */
export function isSecretKey(key: string): boolean {
    const k = key.toLowerCase().replace(/[-.\s]/g, "_");
    if (secretWords.some((w) => k.includes(w))) {
        return true;
    }
    return k.split("_").some((word) => word === "seed" || word === "seeds");
}

/** Where docker mounts swarm secrets in a container. */
export const dockerSecretDir = "/run/secrets/";

/**
 * Whether a value is a reference to a secret rather than the secret: a path under
 * /run/secrets/ (e.g. RPC_PASSWORD_FILE=/run/secrets/rpc-password), or empty.
 */
export function isSecretReference(value: string): boolean {
    const v = value.trim();
    return v === "" || (v.startsWith(dockerSecretDir) && v.length > dockerSecretDir.length && !/\s/.test(v));
}

/** A `KEY=value` entry (container envs); undefined when there is no `=`. */
export function splitAssignment(entry: string): { key: string; value: string } | undefined {
    const i = entry.indexOf("=");
    return i <= 0 ? undefined : { key: entry.slice(0, i), value: entry.slice(i + 1) };
}

/**
 * Secret-looking command-line flags with an inline or following value:
 * `-rpcpassword=x`, `--bitcoind.rpcpass=x`, `--rpcpassword x`. Returns the flag names
 * (never the values) of those whose value is not a reference.
 */
export function secretFlags(args: string[]): string[] {
    const found: string[] = [];
    for (let i = 0; i < args.length; i++) {
        const m = /^--?([A-Za-z0-9_.-]+)(?:=(.*))?$/s.exec(args[i]);
        if (!m || !isSecretKey(m[1])) {
            continue;
        }
        if (m[2] !== undefined) {
            if (!isSecretReference(m[2])) {
                found.push(m[1]);
            }
        } else if (i + 1 < args.length && !args[i + 1].startsWith("-") && !isSecretReference(args[i + 1])) {
            found.push(m[1]);
        }
    }
    return found;
}

/**
 * Secret-looking settings in a config file's text (bitcoin.conf `rpcpassword=x`, torrc
 * `HashedControlPassword 16:...`, YAML `password: x`, lnd.conf `bitcoind.rpcpass=x`):
 * line numbers and keys (never values) of those with a value that is not a reference.
 * Comments (#, ;) and section headers ([main]) are skipped.
 */
export function secretSettings(text: string): { line: number; key: string }[] {
    const found: { line: number; key: string }[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (line === "" || line.startsWith("#") || line.startsWith(";") || line.startsWith("[")) {
            return;
        }
        const m = /^(?:export\s+)?["']?([A-Za-z0-9_.-]+)["']?\s*(?:=|:|\s)\s*(.*)$/.exec(line);
        if (!m || !isSecretKey(m[1])) {
            return;
        }
        const value = m[2].replace(/^["']|["']$/g, "").trim();
        if (!isSecretReference(value)) {
            found.push({ line: i + 1, key: m[1] });
        }
    });
    return found;
}

/** Decodes a docker config's `data` (base64); text that is not base64 is taken as is. */
export function decodeConfigData(data: string): string {
    const compact = data.replace(/\s/g, "");
    if (compact.length > 0 && compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
        return Buffer.from(compact, "base64").toString("utf8");
    }
    return data;
}
