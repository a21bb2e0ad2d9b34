// `bcm backup verify` (and the first step of every restore): the manifest's signature is the
// controller key's, every archive's bytes match their SHA-256, and the device decrypts each
// one to the tar whose SHA-256 the manifest names. Anything else is refused in one line.
import * as fs from "node:fs";
import * as path from "node:path";
import { deviceFromEnvironment } from "../../device/fromEnvironment";
import { CliError } from "../cli/errors";
import { controllerCertificateFile, controllerKey } from "../cluster/controllerKey";
import { ClusterContext } from "../cluster/workspace";
import { certificateFingerprint, decryptArchive, manifestSignatureProblem } from "./archive";
import { formatBytes } from "./backupDir";
import { encryptedProblem, Manifest, manifestFile, parseManifest, plainProblem, signatureFile } from "./manifest";
import { tarEntries } from "./stackFiles";

export interface VerifiedBackup {
    dir: string;
    manifest: Manifest;
    /** Each tier's decrypted tar. */
    plain: Record<string, Uint8Array>;
    lines: string[];
}

const refuse = (dir: string, why: string) => new CliError(`backup ${dir}: ${why}; it is refused (restore only a backup that verifies)`);

export async function verifyBackup(dir: string, ctx: ClusterContext): Promise<VerifiedBackup> {
    const read = (name: string): Buffer => {
        try {
            return fs.readFileSync(path.join(dir, name));
        } catch (err) {
            throw refuse(dir, `${name} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        }
    };
    const text = read(manifestFile).toString("utf8");
    let manifest: Manifest;
    try {
        manifest = parseManifest(text, manifestFile);
    } catch (err) {
        throw refuse(dir, (err as Error).message);
    }
    const certFile = controllerCertificateFile(ctx.home);
    if (!fs.existsSync(certFile)) throw new CliError(`no controller certificate in ${ctx.home}; fix: run \`bcm init --user-id "Name <mail>"\` with the device that made the backup`);
    const certificate = fs.readFileSync(certFile, "utf8");
    const fingerprint = await certificateFingerprint(certificate);
    if (fingerprint !== manifest.recipient) throw refuse(dir, `it was made for the controller key ${manifest.recipient}, this BCM home's is ${fingerprint}`);
    const signatureProblem = await manifestSignatureProblem(certificate, text, read(signatureFile).toString("utf8"));
    if (signatureProblem) throw refuse(dir, signatureProblem);
    const lines = [`manifest signed by the controller key ${fingerprint}: cluster ${manifest.cluster} (${manifest.chain}), made ${manifest.created}`];
    // Sums first, without the device: a changed file is refused before anything is decrypted.
    const encrypted: Record<string, Buffer> = {};
    for (const a of manifest.archives) {
        encrypted[a.tier] = read(a.file);
        const problem = encryptedProblem(a, encrypted[a.tier]);
        if (problem) throw refuse(dir, problem);
    }
    const plain: Record<string, Uint8Array> = {};
    const device = await deviceFromEnvironment(ctx.env);
    try {
        const key = await controllerKey(ctx.home, device);
        for (const a of manifest.archives) {
            let data: Uint8Array;
            try {
                data = await decryptArchive(device, key, encrypted[a.tier], a.file);
            } catch (err) {
                throw refuse(dir, (err as Error).message);
            }
            const problem = plainProblem(a, data);
            if (problem) throw refuse(dir, problem);
            const entries = await tarEntries(data).catch((err: Error) => {
                throw refuse(dir, `${a.file}: ${err.message}`);
            });
            plain[a.tier] = data;
            lines.push(`${a.file}: ${formatBytes(a.encryptedBytes)} encrypted, decrypted by the device to ${formatBytes(a.plainBytes)} (${entries.length} entries), SHA-256 sums match`);
        }
    } finally {
        await device.close();
    }
    return { dir, manifest, plain, lines };
}
