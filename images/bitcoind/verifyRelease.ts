// Verifying a Bitcoin Core release the way Bitcoin Core's own contrib/verify-binaries does:
// SHA256SUMS lists the sha256 of every release file; SHA256SUMS.asc holds detached OpenPGP
// signatures over SHA256SUMS, one armored block per builder, concatenated. The release is
// accepted when at least `threshold` distinct keys the user trusts made a valid signature,
// and the file's sha256 is its line in the signed SHA256SUMS. See images/bitcoind/README.md.
import * as openpgp from "openpgp";

/** The only platform BCM builds images for. */
export const RELEASE_PLATFORM = "x86_64-linux-gnu";

/**
 * Bitcoin Core's version strings: MAJOR.MINOR[.PATCH[.BUILD]][rcN] (27.1, 0.21.2,
 * 0.17.0.1, 28.0rc2), optionally followed by -SUFFIX (lower-case letters and digits, up to
 * 16) for releases that are not Bitcoin Core's own, such as the test release of
 * build.it.test.ts (0.0.0-bcmtest). Always usable in a file name and in a Docker tag.
 */
const VERSION = /^(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})(\.(0|[1-9]\d{0,3})){0,2}(rc[1-9]\d{0,2})?(-[a-z][a-z0-9]{0,15})?$/;

/** The version, when it is a valid Bitcoin Core version string; otherwise an Error that says what is. */
export function validateVersion(version: string): string {
    if (!VERSION.test(version)) {
        throw new Error(
            `version ${JSON.stringify(version)} is not a Bitcoin Core version: give it as in the release's file names, ` +
                `MAJOR.MINOR[.PATCH][rcN] (e.g. 27.1, 0.21.2, 28.0rc2), optionally with a -suffix of lower-case letters and digits for a non-Bitcoin-Core test release`,
        );
    }
    return version;
}

/** The Linux x86_64 release tarball of a version: bitcoin-27.1-x86_64-linux-gnu.tar.gz. */
export function releaseFileName(version: string): string {
    return `bitcoin-${validateVersion(version)}-${RELEASE_PLATFORM}.tar.gz`;
}

/** The version in a release tarball's name; an Error when the name is not releaseFileName(some version). */
export function versionOfFileName(fileName: string): string {
    const suffix = `-${RELEASE_PLATFORM}.tar.gz`;
    const version = fileName.startsWith("bitcoin-") && fileName.endsWith(suffix) ? fileName.slice("bitcoin-".length, -suffix.length) : "";
    if (!VERSION.test(version)) {
        throw new Error(`${JSON.stringify(fileName)} is not the name of a Bitcoin Core ${RELEASE_PLATFORM} release tarball (bitcoin-VERSION-${RELEASE_PLATFORM}.tar.gz)`);
    }
    return version;
}

/**
 * SHA256SUMS as a map file name -> lower-case sha256, from the lines `sha256sum` writes:
 * 64 hex digits, a space, a space (text mode) or `*` (binary mode), the file name. Empty
 * lines are allowed; any other line, a file listed twice, or a Windows line ending is an
 * Error naming the line.
 */
export function parseSha256Sums(text: string): Map<string, string> {
    const sums = new Map<string, string>();
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    lines.forEach((line, i) => {
        const where = `SHA256SUMS line ${i + 1}`;
        if (line.trim() === "") return;
        if (line.includes("\r")) throw new Error(`${where} ends in a carriage return (Windows line endings): use the file exactly as the release publishes it`);
        const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
        if (!m || m[2].startsWith("\\")) {
            throw new Error(`${where} is malformed (${JSON.stringify(line.length > 100 ? `${line.slice(0, 100)}…` : line)}): expected "<64 hex digits>  <file name>", as sha256sum writes it`);
        }
        const [, hash, name] = m;
        if (sums.has(name)) throw new Error(`${where} lists ${name} a second time: SHA256SUMS must name each file once`);
        sums.set(name, hash.toLowerCase());
    });
    return sums;
}

/** One armored signature block of SHA256SUMS.asc and the line it starts on. */
export interface ArmoredBlock {
    line: number;
    armored: string;
}

const armorLine = (kind: string, edge: "BEGIN" | "END") => `-----${edge} PGP ${kind}-----`;

/**
 * The armored blocks of KIND ("SIGNATURE", "PUBLIC KEY BLOCK") in a text that concatenates
 * them; openpgp.js reads only the first block of its input. With `strict`, any non-blank
 * text outside the blocks is an Error naming its line; a block without its END line is one
 * always. `file` names the text in messages.
 */
function armoredBlocks(text: string, kind: string, file: string, strict: boolean): ArmoredBlock[] {
    const begin = armorLine(kind, "BEGIN");
    const end = armorLine(kind, "END");
    const blocks: ArmoredBlock[] = [];
    let current: { line: number; lines: string[] } | undefined;
    text.split("\n").forEach((raw, i) => {
        const line = raw.replace(/[ \t\r]+$/, "");
        if (current) {
            if (line === begin) {
                throw new Error(`${file} line ${i + 1}: a new block starts before the block of line ${current.line} ended (${end} missing)`);
            }
            current.lines.push(line);
            if (line === end) {
                blocks.push({ line: current.line, armored: `${current.lines.join("\n")}\n` });
                current = undefined;
            }
        } else if (line === begin) {
            current = { line: i + 1, lines: [line] };
        } else if (strict && line.trim() !== "") {
            throw new Error(`${file} line ${i + 1} is outside any "${begin}" block: the file is not a release's signature file, or was altered`);
        }
    });
    if (current) throw new Error(`${file}: the block of line ${current.line} has no "${end}" line: the file is truncated`);
    return blocks;
}

/**
 * The armored blocks of a signature file that concatenates them, as SHA256SUMS.asc does.
 * Blank lines between blocks are allowed; other text outside a block, a block without its
 * END line, or no block at all is an Error.
 */
export function splitArmoredSignatures(text: string): ArmoredBlock[] {
    const blocks = armoredBlocks(text, "SIGNATURE", "SHA256SUMS.asc", true);
    if (blocks.length === 0) throw new Error(`SHA256SUMS.asc holds no "${armorLine("SIGNATURE", "BEGIN")}" block: it is not a release's signature file`);
    return blocks;
}

/** A key whose valid signature was counted. Fingerprints are upper-case hex, as gpg prints them. */
export interface Signer {
    fingerprint: string;
    userId: string;
    /** When the signature says it was made (ISO 8601). */
    signed: string;
}

/** A signature that was not counted, and why. */
export interface NotCounted {
    /** The 16-hex-digit ID of the key the signature names. */
    keyId: string;
    /** The key's fingerprint, when the key is among the trusted keys or the signature names it. */
    fingerprint?: string;
    userId?: string;
    /** Line of SHA256SUMS.asc where the block holding the signature starts. */
    line: number;
    reason: string;
}

export interface VerifiedRelease {
    version: string;
    fileName: string;
    /** The file's sha256, as listed in the signed SHA256SUMS. */
    sha256: string;
    threshold: number;
    /** The distinct trusted keys with a valid signature, at least `threshold` of them, sorted by fingerprint. */
    signers: Signer[];
    /** Every other signature: by an untrusted key, invalid, by an expired or revoked key, or a repeat. */
    notCounted: NotCounted[];
}

export interface VerifyReleaseInput {
    /** The content of SHA256SUMS, exactly as published (a string is taken as its UTF-8 encoding). */
    sha256sums: string | Uint8Array;
    /** The content of SHA256SUMS.asc: one or more armored signature blocks, concatenated. */
    signatures: string;
    /** The public keys the user trusts: armored (a string) or binary; one file may hold several keys. */
    trustedKeys: (string | Uint8Array)[];
    /** How many distinct trusted keys must have signed SHA256SUMS (at least 1). */
    threshold: number;
    /** The release file: bitcoin-VERSION-x86_64-linux-gnu.tar.gz. */
    fileName: string;
    /** The sha256 of the file the user has (64 hex digits). */
    fileSha256: string;
    /** Names of trustedKeys for messages (e.g. their file names), in the same order. */
    trustedKeyNames?: string[];
    /** Where the trusted keys come from, for messages: "add the builders' keys to <keysLocation>". */
    keysLocation?: string;
    /** When key expiry and revocation are judged (default: now). */
    now?: Date;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex").toUpperCase();
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

async function readTrustedKeys(input: VerifyReleaseInput): Promise<Map<string, openpgp.PublicKey>> {
    const byFingerprint = new Map<string, openpgp.PublicKey>();
    if (input.trustedKeys.length === 0) {
        throw new Error(`no trusted keys: add the armored public keys of the builders you trust (guix.sigs/builder-keys) to ${input.keysLocation ?? "the trusted keys"}`);
    }
    for (const [i, source] of input.trustedKeys.entries()) {
        const name = input.trustedKeyNames?.[i] ?? `trusted key #${i + 1}`;
        const notAKey = (why: string) =>
            new Error(`${name} is not an OpenPGP public key (${why}): put only builders' public keys (guix.sigs/builder-keys/*.gpg) there`);
        if (typeof source === "string" && armoredBlocks(source, "PRIVATE KEY BLOCK", name, false).length > 0) {
            throw new Error(`${name} holds a private key: put only public keys there, and keep the private key elsewhere`);
        }
        const keys: openpgp.Key[] = [];
        try {
            if (typeof source === "string") {
                // One file may concatenate several armored keys; readKeys reads only the first block.
                const blocks = armoredBlocks(source, "PUBLIC KEY BLOCK", name, false);
                if (blocks.length === 0) throw new Error(`no "${armorLine("PUBLIC KEY BLOCK", "BEGIN")}" block`);
                for (const block of blocks) keys.push(...(await openpgp.readKeys({ armoredKeys: block.armored })));
            } else {
                keys.push(...(await openpgp.readKeys({ binaryKeys: source })));
            }
        } catch (e) {
            throw notAKey((e as Error).message);
        }
        for (const key of keys) {
            if (key.isPrivate()) throw new Error(`${name} holds a private key (${key.getFingerprint().toUpperCase()}): put only public keys there, and keep the private key elsewhere`);
            const fingerprint = key.getFingerprint().toUpperCase();
            const seen = byFingerprint.get(fingerprint);
            // The same key twice (say an old copy and one with its expiry extended): merged.
            byFingerprint.set(fingerprint, seen ? await seen.update(key as openpgp.PublicKey, input.now) : (key as openpgp.PublicKey));
        }
    }
    return byFingerprint;
}

/** Why a trusted key that made a valid signature cannot be counted at `now`, or undefined when it can. */
async function unusableBecause(key: openpgp.PublicKey, keyId: openpgp.KeyID, now: Date): Promise<string | undefined> {
    try {
        await key.getSigningKey(keyId, now);
        return undefined;
    } catch (e) {
        if (await key.isRevoked(undefined, undefined, now)) return "the key is revoked: its signatures are not counted";
        const expires = await key.getExpirationTime().catch(() => null);
        if (expires instanceof Date && expires <= now) {
            return `the key expired on ${expires.toISOString()}: get its current copy (builders extend the expiry) from guix.sigs/builder-keys`;
        }
        return `the key cannot sign at ${now.toISOString()}: ${(e as Error).message}`;
    }
}

/** A signature error of openpgp.js, said in terms of a release. */
function signatureFailure(message: string): string {
    if (/Signed digest did not match|Signature verification failed/.test(message)) {
        return `bad signature: SHA256SUMS is not the file this key signed (altered, or the signature belongs to another release) [${message}]`;
    }
    return `invalid signature: ${message}`;
}

/**
 * Checks a release file against SHA256SUMS and SHA256SUMS.asc: SHA256SUMS must carry
 * valid signatures from at least `threshold` distinct trusted keys, none of them expired or
 * revoked at `now`; then SHA256SUMS must list `fileName` once, with `fileSha256`. Signatures
 * by untrusted keys, invalid signatures and repeated signatures of one key are reported in
 * `notCounted`. Throws an Error naming what failed and how to fix it.
 */
export async function verifyRelease(input: VerifyReleaseInput): Promise<VerifiedRelease> {
    const { threshold, fileName } = input;
    const now = input.now ?? new Date();
    const keysLocation = input.keysLocation ?? "the trusted keys";
    const version = versionOfFileName(fileName);
    if (!Number.isInteger(threshold) || threshold < 1) {
        throw new Error(`threshold ${threshold} is not a whole number of at least 1: the number of trusted builders' signatures required (--threshold)`);
    }
    if (!/^[0-9a-fA-F]{64}$/.test(input.fileSha256)) throw new Error(`${fileName}: its sha256 "${input.fileSha256}" is not 64 hex digits`);
    const fileSha256 = input.fileSha256.toLowerCase();

    const trusted = await readTrustedKeys(input);
    if (trusted.size < threshold) {
        throw new Error(
            `threshold ${threshold} exceeds the ${plural(trusted.size, "trusted key")} in ${keysLocation}: ` +
                `add more builders' keys (guix.sigs/builder-keys) there, or lower --threshold`,
        );
    }
    const verificationKeys = [...trusted.values()];
    const keyOf = (keyId: openpgp.KeyID) => verificationKeys.find((k) => k.getKeys(keyId).length > 0);
    const userIdOf = async (key: openpgp.PublicKey) => {
        try {
            return (await key.getPrimaryUser(now)).user.userID?.userID ?? "";
        } catch {
            return key.getUserIDs()[0] ?? "";
        }
    };

    const sumsBytes = typeof input.sha256sums === "string" ? new TextEncoder().encode(input.sha256sums) : input.sha256sums;
    const message = await openpgp.createMessage({ binary: sumsBytes });
    const signers = new Map<string, Signer>();
    const notCounted: NotCounted[] = [];

    for (const block of splitArmoredSignatures(input.signatures)) {
        let signature: openpgp.Signature;
        try {
            signature = await openpgp.readSignature({ armoredSignature: block.armored });
        } catch (e) {
            notCounted.push({ keyId: "", line: block.line, reason: `the block is not a readable OpenPGP signature: ${(e as Error).message}` });
            continue;
        }
        const packets = signature.packets.filterByTag(openpgp.enums.packet.signature);
        const { signatures } = await openpgp.verify({ message, signature, verificationKeys, format: "binary", date: now });
        if (signatures.length < packets.length) {
            notCounted.push({
                keyId: "",
                line: block.line,
                reason: `${plural(packets.length - signatures.length, "signature")} in the block ${packets.length - signatures.length === 1 ? "is" : "are"} not over a document (another signature type)`,
            });
        }
        for (const result of signatures) {
            const keyId = result.keyID.toHex().toUpperCase();
            const key = keyOf(result.keyID);
            if (!key) {
                const issuer = (await result.signature.catch(() => undefined))?.packets[0]?.issuerFingerprint;
                notCounted.push({
                    keyId,
                    ...(issuer ? { fingerprint: hex(issuer) } : {}),
                    line: block.line,
                    reason: `signed by a key that is not trusted (not in ${keysLocation}): not verified, not counted`,
                });
                continue;
            }
            const fingerprint = key.getFingerprint().toUpperCase();
            const userId = await userIdOf(key);
            let reason: string | undefined;
            try {
                await result.verified;
                reason = await unusableBecause(key, result.keyID, now);
            } catch (e) {
                reason = (await key.isRevoked(undefined, undefined, now)) ? "the key is revoked: its signatures are not counted" : signatureFailure((e as Error).message);
            }
            if (reason === undefined && signers.has(fingerprint)) reason = "another signature by the same key: a key counts once";
            if (reason !== undefined) {
                notCounted.push({ keyId, fingerprint, userId, line: block.line, reason });
                continue;
            }
            const created = (await result.signature).packets[0]?.created;
            signers.set(fingerprint, { fingerprint, userId, signed: created ? created.toISOString() : "" });
        }
    }

    const counted = [...signers.values()].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
    if (counted.length < threshold) {
        const details = [
            ...counted.map((s) => `counted: ${s.fingerprint} ${s.userId}`),
            ...notCounted.map((n) => `not counted (line ${n.line}${n.keyId ? `, key ${n.fingerprint ?? n.keyId}` : ""}${n.userId ? ` ${n.userId}` : ""}): ${n.reason}`),
        ];
        throw new Error(
            `SHA256SUMS.asc: ${plural(counted.length, "valid signature")} from a trusted key, ${threshold} required (threshold): ` +
                `add the builders' keys (guix.sigs/builder-keys) to ${keysLocation}, or lower --threshold` +
                (details.length ? `\n  ${details.join("\n  ")}` : ""),
        );
    }

    // SHA256SUMS is authentic from here on: its content can be trusted, and read.
    const sums = parseSha256Sums(new TextDecoder("utf-8", { fatal: false }).decode(sumsBytes));
    const listed = sums.get(fileName);
    if (listed === undefined) {
        const similar = [...sums.keys()].filter((n) => n.endsWith(`-${RELEASE_PLATFORM}.tar.gz`));
        throw new Error(
            `${fileName} is not listed in SHA256SUMS` +
                (similar.length ? ` (it lists ${similar.join(", ")})` : ` (it lists ${plural(sums.size, "file")}, none a ${RELEASE_PLATFORM} tarball)`) +
                `: use the SHA256SUMS of release ${version}, or the version the tarball is`,
        );
    }
    if (listed !== fileSha256) {
        throw new Error(`${fileName}: sha256 ${fileSha256} does not match SHA256SUMS (${listed}): the file is corrupt or not the release; download it again`);
    }
    return { version, fileName, sha256: listed, threshold, signers: counted, notCounted };
}
