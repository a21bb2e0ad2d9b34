import { resourcePolicy, ResourceContext } from "../lib/define";
import { argListsOf, containerSpecOf, dockerTypes, labelListsOf } from "../lib/docker";
import { configOf, lxdTypes } from "../lib/lxd";
import { Finding, subjectOf } from "../lib/report";
import { decodeConfigData, isSecretKey, isSecretReference, secretFlags, secretSettings, splitAssignment } from "../lib/secrets";
import { arrayOf, deferUnknown, keysOf, objectOf, read, stringOf, UNKNOWN, Unknown } from "../lib/values";

const name = "no-plaintext-secrets";

const useDockerSecret =
    "put the value in a docker.Secret, mount it (taskSpec.containerSpec.secrets) and pass its path instead " +
    "(e.g. RPC_PASSWORD_FILE=/run/secrets/rpc_password)";

/** Whether a secret-looking key's value is allowed: only a /run/secrets/ path (or empty). */
function allowedValue(value: string | Unknown | undefined): boolean {
    return typeof value === "string" && isSecretReference(value);
}

/** A list of strings read item by item; a computed item defers the decision to the update. */
function strings(list: unknown[], where: string): string[] {
    return list.map((_, i) => {
        const v = read(() => list[i]);
        if (v === UNKNOWN) {
            deferUnknown(`${where}.${i}`);
        }
        return typeof v === "string" ? v : "";
    });
}

/**
 * No secrets in plain environment variables, labels, command lines or configs. A key
 * looks secret when it contains PASSWORD, PASSWD, PASSPHRASE, RPCPASS, RPCAUTH, SECRET,
 * TOKEN, PRIVATE_KEY/PRIVKEY, MNEMONIC, SEED (as a word), API_KEY, MACAROON, XPRV or
 * CREDENTIAL (any case, `-` and `.` as `_`). Such a key may only carry a path under
 * /run/secrets/ (a mounted docker secret) or nothing, because a policy cannot tell a
 * Pulumi secret from a literal (@pulumi/policy unwraps secrets before validation) and
 * either way the value lands in plain sight in the service spec. Checked:
 * - services: taskSpec.containerSpec.env, labels, taskSpec.containerSpec.labels,
 *   commands and args (`-rpcpassword=...`, `--rpcpassword ...`);
 * - containers: envs ("K=V"), labels, entrypoints and command;
 * - service configs (docker configs are not encrypted): a secret-looking name, and
 *   secret-looking settings in the data (bitcoin.conf rpcpassword=, torrc
 *   HashedControlPassword, YAML password:);
 * - LXD instances and profiles: config environment.<KEY> and user.<key>.
 * Messages name keys, never values.
 */
export function plaintextSecretFindings(ctx: ResourceContext): Finding[] {
    const subject = subjectOf(ctx.type, ctx.name, ctx.props);
    const findings: Finding[] = [];
    const refuse = (what: string, where: string, fix = useDockerSecret) =>
        findings.push({
            subject,
            problem: `sets ${what} in ${where}: the value is stored in plain text in the spec, readable by anyone with access to the daemon`,
            fix,
        });

    if (ctx.type === dockerTypes.service) {
        const env = objectOf(containerSpecOf(ctx.props).env);
        for (const key of keysOf(env).filter(isSecretKey)) {
            if (!allowedValue(read(() => stringOf(env?.[key])))) {
                refuse(`secret-looking environment variable ${key}`, "taskSpec.containerSpec.env");
            }
        }
    }
    if (ctx.type === dockerTypes.container) {
        for (const entry of strings(arrayOf(ctx.props.envs), "envs")) {
            const kv = splitAssignment(entry);
            if (kv && isSecretKey(kv.key) && !isSecretReference(kv.value)) {
                refuse(`secret-looking environment variable ${kv.key}`, "envs");
            }
        }
    }
    for (const { where, labels } of labelListsOf(ctx.type, ctx.props)) {
        labels.forEach((entry, i) => {
            const l = read(() => objectOf(entry) ?? {});
            if (l === UNKNOWN) {
                deferUnknown(`${where}.${i}`);
            }
            const label = read(() => stringOf(l.label));
            if (label === UNKNOWN) {
                deferUnknown(`${where}.${i}.label`);
            }
            if (label !== undefined && isSecretKey(label) && !allowedValue(read(() => stringOf(l.value)))) {
                refuse(`secret-looking label ${label}`, where, "labels are for metadata: keep the secret in a docker.Secret and remove the label");
            }
        });
    }
    for (const { where, args } of argListsOf(ctx.type, ctx.props)) {
        for (const flag of secretFlags(strings(args, where))) {
            refuse(`secret-looking command-line flag ${flag}`, where, `${useDockerSecret}; command lines are also visible in ps`);
        }
    }
    if (ctx.type === dockerTypes.serviceConfig) {
        const configName = read(() => stringOf(ctx.props.name));
        if (typeof configName === "string" && isSecretKey(configName)) {
            findings.push({
                subject,
                problem: `is named like a secret (${configName}): docker configs are stored unencrypted and readable by anyone with access to the daemon`,
                fix: "make it a docker.Secret (secrets are encrypted in the swarm's raft log and mounted under /run/secrets/)",
            });
        }
        for (const field of ["data", "dataRaw"]) {
            const data = read(() => stringOf(ctx.props[field]));
            if (data === UNKNOWN) {
                deferUnknown(field);
            }
            if (data === undefined) {
                continue;
            }
            const text = field === "data" ? decodeConfigData(data) : data;
            for (const s of secretSettings(text)) {
                refuse(
                    `secret-looking setting ${s.key} (line ${s.line})`,
                    `its ${field}`,
                    `move ${s.key} into a docker.Secret (docker configs are not encrypted) and point the service at /run/secrets/<name>`,
                );
            }
        }
    }
    if (ctx.type === lxdTypes.instance || ctx.type === lxdTypes.profile) {
        const config = configOf(ctx.props);
        for (const key of keysOf(config)) {
            const m = /^(environment|user)\.(.+)$/.exec(key);
            if (m && isSecretKey(m[2]) && !allowedValue(read(() => stringOf(config[key])))) {
                refuse(
                    `secret-looking config ${key}`,
                    "its LXD config",
                    `remove config "${key}": LXD config is readable through the LXD API; deliver the secret as a docker secret inside the tier`,
                );
            }
        }
    }
    return findings;
}

export const noPlaintextSecrets = resourcePolicy(
    name,
    "No secrets in plain environment variables, labels, command lines or configs: a secret-looking key carries only a /run/secrets/ path (docker secrets), never a value.",
    [dockerTypes.service, dockerTypes.container, dockerTypes.serviceConfig, lxdTypes.instance, lxdTypes.profile],
    plaintextSecretFindings,
);
