// `bcm init`: the controller's one-time setup, every step idempotent and reported: the
// device answers, the controller's GPG certificate (derived from the device, like
// trezor-agent's) is written, a pass store encrypted to it exists, the state directory
// exists and the engine is built. A second run changes nothing and says so; an existing
// store for a different key is refused rather than overwritten.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { gpgPubkey, passInit } from "./cli/deviceCommands";
import { UsageError } from "../device/usageError";
import { deviceFromEnvironment } from "../device/fromEnvironment";
import { deviceLine } from "../device/describeDevice";
import { findEngine, homeLayout, repoRoot } from "../engine";

export interface InitOptions {
    /** The certificate's user id, e.g. "Satoshi <satoshi@controller>". */
    userId?: string;
    /** nist256p1 (default) or ed25519. */
    curve?: string;
    /** Key creation time, unix seconds (trezor-agent's --time). */
    time?: string;
}

/** What `bcm init` did or found, one line per step. */
export async function initController(home: string, options: InitOptions, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<string[]> {
    if (!options.userId && !env.BCM_GPG_USER_ID) {
        throw new UsageError("--user-id", 'give the certificate\'s user id, e.g. --user-id "Satoshi <satoshi@controller>" (or set BCM_GPG_USER_ID)');
    }
    const lines: string[] = [];
    const device = await deviceFromEnvironment(env);
    try {
        lines.push(`device: ${deviceLine(await device.describe())}`);

        const keyOptions = { userId: options.userId, curve: options.curve, time: options.time };
        const context = { device, env, cwd: home };
        const armored = await gpgPubkey(keyOptions, context);
        // This device's key id as pass writes it, found in a scratch store before anything is written.
        const probe = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-init-"));
        let ours: string;
        try {
            await passInit({ ...keyOptions, store: probe }, context);
            ours = fs.readFileSync(path.join(probe, ".gpg-id"), "utf8").trim();
        } finally {
            fs.rmSync(probe, { recursive: true, force: true });
        }
        const store = path.join(home, "password-store");
        const gpgId = path.join(store, ".gpg-id");
        const existing = fs.existsSync(gpgId) ? fs.readFileSync(gpgId, "utf8").trim() : undefined;
        if (existing !== undefined && existing !== ours) {
            // Checked before the certificate is touched: a refused init changes nothing.
            throw new UsageError("--user-id", `${store} is encrypted to ${existing}, not to this device's key ${ours}: use the device and user id it was made with, or move it away first`);
        }

        const certFile = path.join(home, "controller.asc");
        fs.mkdirSync(home, { recursive: true, mode: 0o700 });
        if (fs.existsSync(certFile) && fs.readFileSync(certFile, "utf8") === armored) {
            lines.push(`certificate: ${certFile} (unchanged)`);
        } else {
            // A certificate for another user id is kept beside the new one, never lost.
            if (fs.existsSync(certFile)) fs.renameSync(certFile, `${certFile}.${Date.now()}.old`);
            fs.writeFileSync(certFile, armored);
            lines.push(`certificate: ${certFile} (written, key ${ours})`);
        }
        if (existing === undefined) {
            lines.push(`pass store: ${store} (${(await passInit({ ...keyOptions, store, git: true }, context)).trim()})`);
        } else {
            lines.push(`pass store: ${store} (unchanged, for ${existing})`);
        }
    } finally {
        // A Trezor holds a session (and Connect its timers) until closed.
        await device.close();
    }

    const { stateDir, pulumiHome } = homeLayout(home);
    for (const dir of [stateDir, pulumiHome]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    lines.push(`state: ${stateDir}`);

    let engine;
    try {
        engine = await findEngine(env);
    } catch {
        say("engine: not built for this checkout; building it from the pinned Go modules (about 8 minutes the first time)");
        await execa("bash", [path.join(repoRoot, "toolchain", "build.sh")], { stdout: "ignore", stderr: "inherit" });
        engine = await findEngine(env);
    }
    lines.push(`engine: pulumi ${engine.cliVersion} in ${engine.dir}`);
    return lines;
}
