// `bcm backup create`: every tier's data that cannot be made again, read consistently (the
// services that write it paused), one archive per tier encrypted to the controller's
// certificate, and a manifest of SHA-256 sums signed by the device.
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { deviceFromEnvironment } from "../../device/fromEnvironment";
import { CliError } from "../cli/errors";
import { controllerCertificateFile, controllerKey } from "../cluster/controllerKey";
import { ClusterContext, openCluster } from "../cluster/workspace";
import { certificateFingerprint, encryptArchive, signManifest } from "./archive";
import { defaultBackupRoot } from "./backupDir";
import { clientHolding } from "./instanceClient";
import { archiveEntry, ArchiveEntry, backupDirName, Manifest, manifestFile, manifestFormat, serializeManifest, signatureFile } from "./manifest";
import { backupPlan } from "./plan";
import { configEntry, configFile, exportEncryptedState, stateEntry, tarOf } from "./stackFiles";
import { readItem, withServicesPaused } from "./tierData";

export interface CreatedBackup {
    dir: string;
    manifest: Manifest;
    skipped: string[];
    seconds: number;
}

/** Writes a file only its owner can read, refusing to overwrite one. */
function writePrivate(file: string, data: Uint8Array | string): void {
    fs.writeFileSync(file, data, { mode: 0o600, flag: "wx" });
}

export async function createBackup(cluster: string, opts: { to?: string; now?: Date; kafka?: boolean }, ctx: ClusterContext): Promise<CreatedBackup> {
    const started = Date.now();
    const certFile = controllerCertificateFile(ctx.home);
    if (!fs.existsSync(certFile)) throw new CliError(`no controller certificate in ${ctx.home}: backups are encrypted to it; fix: run \`bcm init --user-id "Name <mail>"\` with the device`);
    const certificate = fs.readFileSync(certFile, "utf8");
    const { stack, specs, exported } = await openCluster(cluster, ctx);
    const dataCenter = (await stack.outputs()).dataCenter?.value;
    let plan;
    try {
        plan = backupPlan(cluster, dataCenter, { kafka: opts.kafka === true });
    } catch (err) {
        throw new CliError((err as Error).message);
    }
    const dockerHost = (dataCenter as { dockerHost?: string }).dockerHost;
    const created = opts.now ?? new Date();
    const dir = path.join(opts.to ?? defaultBackupRoot(ctx.home, cluster), backupDirName(cluster, created));
    if (fs.existsSync(dir)) throw new CliError(`${dir} exists already; fix: wait a second, or give another --to`);
    // The device first: a backup nobody can decrypt or verify is worse than none.
    const device = await deviceFromEnvironment(ctx.env);
    try {
        const key = await controllerKey(ctx.home, device);
        const recipient = await certificateFingerprint(certificate);
        const plains: { tier: string; contents: string[]; tar: Buffer }[] = [];
        ctx.say(`[bcm backup] ${cluster}: the stack's state and config`);
        const ws = stack.workspace as LocalWorkspace;
        plains.push({
            tier: plan.stack.tier,
            contents: plan.stack.contents,
            tar: await tarOf({ [stateEntry]: await exportEncryptedState(stack), [configEntry(cluster)]: fs.readFileSync(configFile(ws, cluster), "utf8") }),
        });
        for (const item of plan.containers) {
            if (!dockerHost) throw new CliError(`cluster ${cluster}: its outputs name no docker host; fix: deploy again`);
            ctx.say(`[bcm backup] ${cluster}: ${item.tier} (${item.parts.map((p) => `${p.entries.join(", ")} on ${p.instance}`).join("; ")})`);
            const tars = await withServicesPaused(dockerHost, item.pause, ctx.say, async () => {
                const out: Record<string, Buffer> = {};
                for (const part of item.parts) {
                    const client = await clientHolding(part.instance, { exported, specs });
                    try {
                        out[`${part.instance}.tar`] = await readItem(client, part);
                    } finally {
                        client.close();
                    }
                }
                return out;
            });
            plains.push({ tier: item.tier, contents: item.contents, tar: await tarOf(tars) });
        }
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const archives: ArchiveEntry[] = [];
        for (const p of plains) {
            const encrypted = await encryptArchive(certificate, p.tar);
            const entry = archiveEntry(p.tier, p.contents, p.tar, encrypted);
            writePrivate(path.join(dir, entry.file), encrypted);
            archives.push(entry);
        }
        const manifest: Manifest = { format: manifestFormat, cluster, chain: plan.chain, created: created.toISOString(), recipient, archives };
        const text = serializeManifest(manifest);
        ctx.say(`[bcm backup] signing the manifest with the device's controller key`);
        const signature = await signManifest(device, key, text);
        writePrivate(path.join(dir, manifestFile), text);
        writePrivate(path.join(dir, signatureFile), signature);
        return { dir, manifest, skipped: plan.skipped, seconds: (Date.now() - started) / 1000 };
    } finally {
        await device.close();
    }
}
