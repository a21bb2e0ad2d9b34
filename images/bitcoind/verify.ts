// verify: checks a Bitcoin Core release directory against trusted builders' keys, with
// verifyRelease. Prints the verdict as one JSON line on stdout; on failure the message on
// stderr and exit status 1 (2 for a usage error). Reads only local files.
//
//   node -r ./node_modules/ts-node/register/transpile-only images/bitcoind/verify.ts \
//       --release DIR --keys DIR --version V [--threshold N]
//
// See images/bitcoind/README.md.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { RELEASE_PLATFORM, releaseFileName, validateVersion, verifyRelease, type VerifiedRelease } from "./verifyRelease";

/** Bitcoin Core's contrib/verify-binaries requires 3 good trusted signatures by default; so does BCM. */
export const DEFAULT_THRESHOLD = 3;

export const USAGE = `Usage: verify.ts --release DIR --keys DIR --version V [--threshold N]

Verifies a Bitcoin Core release the way Bitcoin Core's contrib/verify-binaries does:
  DIR (--release) holds bitcoin-V-${RELEASE_PLATFORM}.tar.gz, SHA256SUMS and SHA256SUMS.asc,
  as published at https://bitcoincore.org/bin/bitcoin-core-V/;
  DIR (--keys) holds the public keys of the builders you trust, one or more per *.asc or
  *.gpg file (armored or binary), e.g. from https://github.com/bitcoin-core/guix.sigs/tree/main/builder-keys.
SHA256SUMS must carry valid signatures from at least N distinct trusted keys (--threshold,
default ${DEFAULT_THRESHOLD}), none expired or revoked, and list the tarball with its sha256.

Prints the verdict as one JSON line: {"version","fileName","sha256","threshold","signers":[{"fingerprint","userId","signed"}],"notCounted":[...]}.
Exit status: 0 verified, 1 not verified (the reason on stderr), 2 usage error.`;

class UsageError extends Error {}

export interface VerifyOptions {
    release: string;
    keys: string;
    version: string;
    threshold: number;
}

export function parseOptions(argv: string[]): VerifyOptions | "help" {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            strict: true,
            allowPositionals: false,
            options: {
                release: { type: "string" },
                keys: { type: "string" },
                version: { type: "string" },
                threshold: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    if (values.help) return "help";
    for (const name of ["release", "keys", "version"] as const) {
        if (!values[name]) throw new UsageError(`--${name} is required`);
    }
    const threshold = values.threshold === undefined ? DEFAULT_THRESHOLD : /^[1-9]\d{0,2}$/.test(values.threshold) ? Number(values.threshold) : NaN;
    if (Number.isNaN(threshold)) throw new UsageError(`--threshold ${values.threshold}: give a whole number of at least 1`);
    try {
        validateVersion(values.version!);
    } catch (e) {
        throw new UsageError(`--version: ${(e as Error).message}`);
    }
    return { release: values.release!, keys: values.keys!, version: values.version!, threshold };
}

async function sha256File(file: string): Promise<string> {
    const hash = createHash("sha256");
    for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
    return hash.digest("hex");
}

function readRequired(file: string, what: string): Buffer {
    try {
        return fs.readFileSync(file);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new Error(`${file}: ${code === "ENOENT" ? "missing" : (e as Error).message}: ${what}`);
    }
}

/** Reads the release and keys directories and verifies; throws an Error naming what failed. */
export async function verifyDirectory(options: VerifyOptions): Promise<VerifiedRelease> {
    const fileName = releaseFileName(options.version);
    const from = `https://bitcoincore.org/bin/bitcoin-core-${options.version}/`;
    const tarball = path.join(options.release, fileName);
    if (!fs.existsSync(tarball)) throw new Error(`${tarball}: missing: put the release tarball there (from ${from})`);
    const sha256sums = readRequired(path.join(options.release, "SHA256SUMS"), `put the release's SHA256SUMS there (from ${from})`);
    const signatures = readRequired(path.join(options.release, "SHA256SUMS.asc"), `put the release's SHA256SUMS.asc there (from ${from})`);

    let entries: string[];
    try {
        entries = fs.readdirSync(options.keys);
    } catch (e) {
        throw new Error(`${options.keys}: ${(e as Error).message}: --keys names the directory of the builders' public keys you trust (*.asc, *.gpg)`);
    }
    const keyFiles = entries
        .filter((n) => /\.(asc|gpg)$/.test(n) && fs.statSync(path.join(options.keys, n)).isFile())
        .sort()
        .map((n) => path.join(options.keys, n));
    const trustedKeys = keyFiles.map((file) => {
        const bytes = fs.readFileSync(file);
        const text = bytes.toString("utf8");
        return text.includes("-----BEGIN PGP ") ? text : new Uint8Array(bytes);
    });

    return verifyRelease({
        sha256sums: new Uint8Array(sha256sums),
        signatures: signatures.toString("utf8"),
        trustedKeys,
        trustedKeyNames: keyFiles,
        keysLocation: `${options.keys} (*.asc, *.gpg)`,
        threshold: options.threshold,
        fileName,
        fileSha256: await sha256File(tarball),
    });
}

export async function main(argv: string[]): Promise<number> {
    let options: VerifyOptions | "help";
    try {
        options = parseOptions(argv);
    } catch (e) {
        process.stderr.write(`verify: ${(e as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    if (options === "help") {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    try {
        const verdict = await verifyDirectory(options);
        process.stdout.write(`${JSON.stringify(verdict)}\n`);
        return 0;
    } catch (e) {
        process.stderr.write(`verify: NOT VERIFIED: ${(e as Error).message}\n`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (e: unknown) => {
            process.stderr.write(`verify: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
            process.exitCode = 1;
        },
    );
}
