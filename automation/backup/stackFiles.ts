// The stack's part of a backup: its state as the engine exports it (secret values stay
// encrypted under the stack's device-derived passphrase: the export runs without
// --show-secrets) and its settings file, as a tar; and the same two files read back.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import type { Deployment } from "./stateFilter";

export const stateEntry = "stack.json";
export const configEntry = (cluster: string) => `Pulumi.${cluster}.yaml`;

/** The settings file of a stack in its workspace. */
export const configFile = (ws: LocalWorkspace, cluster: string) => path.join(ws.workDir, configEntry(cluster));

/** `pulumi stack export` without --show-secrets: secrets stay ciphertext. */
export async function exportEncryptedState(stack: Stack): Promise<string> {
    const ws = stack.workspace as LocalWorkspace;
    const r = await execa(ws.pulumiCommand.command, ["stack", "export", "--stack", stack.name], { cwd: ws.workDir, env: ws.envVars, reject: false, stdin: "ignore" });
    if (r.exitCode !== 0) throw new Error(`stack export of ${stack.name} failed: ${r.stderr.trim().split("\n").pop()}`);
    const d = JSON.parse(r.stdout) as Deployment;
    // A plaintext secret here would mean the export showed secrets: refuse to write it anywhere.
    if (r.stdout.includes('"plaintext"')) throw new Error(`stack export of ${stack.name} holds a secret in clear; refusing to back it up`);
    return JSON.stringify(d, null, 2) + "\n";
}

/** A tar of named files (made in a private temporary directory, which is removed). */
export async function tarOf(files: Record<string, string | Uint8Array>): Promise<Buffer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-backup-"));
    try {
        fs.chmodSync(dir, 0o700);
        for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text, { mode: 0o600 });
        const r = await execa("tar", ["--numeric-owner", "-cf", "-", "-C", dir, ...Object.keys(files)], { encoding: "buffer", stdin: "ignore" });
        return Buffer.from(r.stdout);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The files of a tar (by name), read in a private temporary directory, which is removed. */
export async function filesOf(tar: Uint8Array, names: string[]): Promise<Record<string, string>> {
    const raw = await buffersOf(tar, names);
    return Object.fromEntries(Object.entries(raw).map(([n, b]) => [n, b.toString("utf8")]));
}

/** The files of a tar (by name) as bytes. */
export async function buffersOf(tar: Uint8Array, names: string[]): Promise<Record<string, Buffer>> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-restore-"));
    try {
        fs.chmodSync(dir, 0o700);
        await execa("tar", ["-xf", "-", "-C", dir, ...names], { input: Buffer.from(tar) });
        return Object.fromEntries(names.map((n) => [n, fs.readFileSync(path.join(dir, n))]));
    } catch (err) {
        throw new Error(`the archive does not hold ${names.join(" and ")}: ${(err as Error).message.split("\n").pop()}`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The names in a tar (`tar -t`), for verify's report. */
export async function tarEntries(tar: Uint8Array): Promise<string[]> {
    const r = await execa("tar", ["-tf", "-"], { input: Buffer.from(tar), reject: false });
    if (r.exitCode !== 0) throw new Error(`not a tar: ${r.stderr.trim().split("\n")[0]}`);
    return r.stdout.split("\n").filter((l) => l !== "");
}
