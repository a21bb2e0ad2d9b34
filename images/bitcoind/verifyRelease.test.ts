import { createHash } from "node:crypto";
import fc from "fast-check";
import * as openpgp from "openpgp";
import {
    parseSha256Sums,
    releaseFileName,
    splitArmoredSignatures,
    validateVersion,
    verifyRelease,
    versionOfFileName,
    type VerifyReleaseInput,
} from "./verifyRelease";

// A release made up in the test: a "tarball" of a few bytes, its SHA256SUMS, and detached
// signatures by test builders' keys generated here (ECC curve25519, fast). Nothing here is
// Bitcoin Core's; the version is 0.0.0-bcmtest.

const VERSION = "0.0.0-bcmtest";
const FILE = releaseFileName(VERSION);
const tarball = Buffer.from("bcm unit test fixture: not a Bitcoin Core release\n");
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
const SHA = sha256(tarball);
const SUMS =
    `${sha256(Buffer.from("another file"))}  bitcoin-${VERSION}-aarch64-linux-gnu.tar.gz\n` +
    `${SHA}  ${FILE}\n` +
    `${sha256(Buffer.from("source"))}  bitcoin-${VERSION}.tar.gz\n`;

interface Builder {
    name: string;
    privateKey: openpgp.PrivateKey;
    publicKey: string;
    fingerprint: string;
    keyId: string;
}

async function builder(name: string, options: { date?: Date; keyExpirationTime?: number } = {}): Promise<Builder> {
    const { privateKey, publicKey } = await openpgp.generateKey({
        type: "ecc",
        curve: "curve25519Legacy",
        userIDs: [{ name: `Test Builder ${name}`, email: `${name.toLowerCase()}@builders.bcm.invalid` }],
        format: "object",
        ...options,
    });
    return {
        name,
        privateKey,
        publicKey: publicKey.armor(),
        fingerprint: privateKey.getFingerprint().toUpperCase(),
        keyId: privateKey.getKeyID().toHex().toUpperCase(),
    };
}

/** An armored detached signature (binary mode, as `gpg --detach-sign --armor` makes) over data by the builders, in one block. */
async function sign(data: string, by: Builder[], date?: Date): Promise<string> {
    const message = await openpgp.createMessage({ binary: new TextEncoder().encode(data) });
    return openpgp.sign({ message, signingKeys: by.map((b) => b.privateKey), detached: true, format: "armored", ...(date ? { date } : {}) });
}

let alice: Builder;
let bob: Builder;
let carol: Builder;
let mallory: Builder; // never trusted
let sig: Record<string, string> = {};

const input = (over: Partial<VerifyReleaseInput>): VerifyReleaseInput => ({
    sha256sums: SUMS,
    signatures: [sig.alice, sig.bob].join(""),
    trustedKeys: [alice.publicKey, bob.publicKey, carol.publicKey],
    threshold: 2,
    fileName: FILE,
    fileSha256: SHA,
    keysLocation: "keys/",
    ...over,
});

beforeAll(async () => {
    [alice, bob, carol, mallory] = await Promise.all(["Alice", "Bob", "Carol", "Mallory"].map((n) => builder(n)));
    for (const b of [alice, bob, carol, mallory]) sig[b.name.toLowerCase()] = await sign(SUMS, [b]);
});

describe("version strings and file names", () => {
    it("accepts Bitcoin Core's version strings and the -suffix of a test release", () => {
        for (const v of ["27.1", "0.21.2", "0.17.0.1", "28.0rc2", "25.0", "0.0.0-bcmtest"]) expect(validateVersion(v)).toBe(v);
        expect(releaseFileName("27.1")).toBe("bitcoin-27.1-x86_64-linux-gnu.tar.gz");
        expect(versionOfFileName("bitcoin-28.0rc2-x86_64-linux-gnu.tar.gz")).toBe("28.0rc2");
        expect(versionOfFileName(FILE)).toBe(VERSION);
    });

    it("refuses anything else, saying what a version looks like", () => {
        for (const v of ["", "27", "v27.1", "27.1.", "27.1 ", "../27.1", "27.1-", "27.1-X", "27.1/x", "27.1rc", "01.2", "27.1;rm", "27.1-averyveryverylongsuffix"]) {
            expect(() => validateVersion(v)).toThrow(/is not a Bitcoin Core version: give it as in the release's file names/);
        }
        expect(() => versionOfFileName("bitcoin-27.1-aarch64-linux-gnu.tar.gz")).toThrow(/not the name of a Bitcoin Core x86_64-linux-gnu release tarball/);
    });
});

describe("parseSha256Sums", () => {
    it("reads sha256sum's text and binary lines", () => {
        const m = parseSha256Sums(`${"A".repeat(64)}  a.tar.gz\n${"b".repeat(64)} *b c.zip\n\n`);
        expect([...m]).toEqual([
            ["a.tar.gz", "a".repeat(64)],
            ["b c.zip", "b".repeat(64)],
        ]);
    });

    it("names a malformed line, a repeated file, and Windows line endings", () => {
        expect(() => parseSha256Sums(`${"a".repeat(64)}  x\nnot a line\n`)).toThrow(/SHA256SUMS line 2 is malformed \("not a line"\): expected "<64 hex digits>  <file name>"/);
        expect(() => parseSha256Sums(`${"a".repeat(63)}  x\n`)).toThrow(/line 1 is malformed/);
        expect(() => parseSha256Sums(`${"a".repeat(64)}  x\n${"b".repeat(64)}  x\n`)).toThrow(/line 2 lists x a second time/);
        expect(() => parseSha256Sums(`${"a".repeat(64)}  x\r\n`)).toThrow(/line 1 ends in a carriage return/);
    });
});

describe("splitArmoredSignatures", () => {
    it("splits concatenated blocks, with blank lines and CRLF between them, and gives their lines", () => {
        const text = `${sig.alice}\n\r\n${sig.bob.replace(/\n/g, "\r\n")}`;
        const blocks = splitArmoredSignatures(text);
        expect(blocks.map((b) => b.line)).toEqual([1, sig.alice.split("\n").length + 2]);
        expect(blocks[0].armored).toBe(sig.alice);
        expect(blocks[1].armored).toBe(sig.bob);
    });

    it("refuses text outside a block, an unterminated block, and a file with no block", () => {
        expect(() => splitArmoredSignatures(`hello\n${sig.alice}`)).toThrow(/line 1 is outside any "-----BEGIN PGP SIGNATURE-----" block/);
        expect(() => splitArmoredSignatures(sig.alice.replace("-----END PGP SIGNATURE-----", ""))).toThrow(
            /^SHA256SUMS.asc: the block of line 1 has no "-----END PGP SIGNATURE-----" line: the file is truncated/,
        );
        expect(() => splitArmoredSignatures(sig.alice.replace("-----END PGP SIGNATURE-----\n", "") + sig.bob)).toThrow(/a new block starts before the block of line 1 ended/);
        expect(() => splitArmoredSignatures("\n\n")).toThrow(/holds no "-----BEGIN PGP SIGNATURE-----" block/);
    });
});

describe("verifyRelease", () => {
    it("accepts a release signed by as many trusted keys as the threshold", async () => {
        const r = await verifyRelease(input({}));
        expect(r).toEqual({
            version: VERSION,
            fileName: FILE,
            sha256: SHA,
            threshold: 2,
            signers: [alice, bob]
                .map((b) => ({ fingerprint: b.fingerprint, userId: `Test Builder ${b.name} <${b.name.toLowerCase()}@builders.bcm.invalid>`, signed: expect.any(String) }))
                .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint)),
            notCounted: [],
        });
        expect(r.signers[0].fingerprint).toMatch(/^[0-9A-F]{40}$/);
    });

    it("counts each signature of a block that holds several (gpg -u A -u B)", async () => {
        const r = await verifyRelease(input({ signatures: await sign(SUMS, [alice, carol]) }));
        expect(r.signers.map((s) => s.fingerprint).sort()).toEqual([alice.fingerprint, carol.fingerprint].sort());
    });

    it("refuses a release below the threshold, naming the count, the fix, and each signature", async () => {
        await expect(verifyRelease(input({ threshold: 3 }))).rejects.toThrow(
            "SHA256SUMS.asc: 2 valid signatures from a trusted key, 3 required (threshold): add the builders' keys (guix.sigs/builder-keys) to keys/, or lower --threshold",
        );
        await expect(verifyRelease(input({ signatures: sig.alice }))).rejects.toThrow(
            new RegExp(`^SHA256SUMS.asc: 1 valid signature from a trusted key, 2 required \\(threshold\\).*\\n  counted: ${alice.fingerprint} Test Builder Alice`, "s"),
        );
    });

    it("refuses a threshold above the number of trusted keys, or not a whole number of at least 1", async () => {
        await expect(verifyRelease(input({ threshold: 4 }))).rejects.toThrow("threshold 4 exceeds the 3 trusted keys in keys/");
        for (const t of [0, -1, 1.5, NaN]) await expect(verifyRelease(input({ threshold: t }))).rejects.toThrow(/is not a whole number of at least 1/);
    });

    it("refuses a tampered file: its sha256 is not SHA256SUMS's", async () => {
        const tampered = sha256(Buffer.concat([tarball, Buffer.from("x")]));
        await expect(verifyRelease(input({ fileSha256: tampered }))).rejects.toThrow(
            `${FILE}: sha256 ${tampered} does not match SHA256SUMS (${SHA}): the file is corrupt or not the release`,
        );
        await expect(verifyRelease(input({ fileSha256: "abc" }))).rejects.toThrow(/is not 64 hex digits/);
    });

    it("refuses a tampered SHA256SUMS: every signature is bad, none counted", async () => {
        const forged = SUMS.replace(SHA, sha256(Buffer.from("evil")));
        const err = await verifyRelease(input({ sha256sums: forged, threshold: 1 })).catch((e: Error) => e);
        expect(err).toBeInstanceOf(Error);
        const message = (err as Error).message;
        expect(message).toMatch(/^SHA256SUMS.asc: 0 valid signatures from a trusted key, 1 required/);
        expect(message).toContain(`key ${alice.fingerprint} Test Builder Alice <alice@builders.bcm.invalid>): bad signature: SHA256SUMS is not the file this key signed`);
        expect(message).toContain(`key ${bob.fingerprint}`);
    });

    it("reports signatures by untrusted keys without counting them", async () => {
        const signatures = [sig.alice, sig.mallory].join("\n");
        await expect(verifyRelease(input({ signatures }))).rejects.toThrow(
            new RegExp(`1 valid signature from a trusted key, 2 required.*key ${mallory.fingerprint}\\): signed by a key that is not trusted \\(not in keys/\\)`, "s"),
        );
        const r = await verifyRelease(input({ signatures, threshold: 1 }));
        expect(r.signers.map((s) => s.fingerprint)).toEqual([alice.fingerprint]);
        expect(r.notCounted).toEqual([
            { keyId: mallory.keyId, fingerprint: mallory.fingerprint, line: sig.alice.split("\n").length + 1, reason: expect.stringMatching(/not trusted/) },
        ]);
    });

    it("counts a key's repeated signatures once", async () => {
        const again = await sign(SUMS, [alice]);
        const signatures = [sig.alice, again, sig.alice].join("");
        await expect(verifyRelease(input({ signatures }))).rejects.toThrow(/^SHA256SUMS.asc: 1 valid signature from a trusted key, 2 required/);
        const r = await verifyRelease(input({ signatures, threshold: 1 }));
        expect(r.signers.map((s) => s.fingerprint)).toEqual([alice.fingerprint]);
        expect(r.notCounted.map((n) => n.reason)).toEqual(Array(2).fill("another signature by the same key: a key counts once"));
        // The same key given twice as trusted is one key too.
        await expect(verifyRelease(input({ trustedKeys: [alice.publicKey, alice.publicKey], threshold: 2 }))).rejects.toThrow("threshold 2 exceeds the 1 trusted key in keys/");
    });

    it("refuses a file SHA256SUMS does not list, naming what it lists", async () => {
        const other = "bitcoin-0.0.1-bcmtest-x86_64-linux-gnu.tar.gz";
        await expect(verifyRelease(input({ fileName: other }))).rejects.toThrow(
            `${other} is not listed in SHA256SUMS (it lists ${FILE}): use the SHA256SUMS of release 0.0.1-bcmtest, or the version the tarball is`,
        );
    });

    it("refuses a signed SHA256SUMS with a malformed line", async () => {
        const sums = `${SUMS}garbage\n`;
        await expect(verifyRelease(input({ sha256sums: sums, signatures: await sign(sums, [alice, bob]) }))).rejects.toThrow(/^SHA256SUMS line 4 is malformed \("garbage"\)/);
    });

    it("does not count a signature by a key that has expired since, and says to refresh the key", async () => {
        const day = 86_400_000;
        const old = await builder("Olga", { date: new Date(Date.now() - 10 * day), keyExpirationTime: 86_400 });
        const signatures = sig.alice + (await sign(SUMS, [old], new Date(Date.now() - 10 * day + 3_600_000)));
        const err = (await verifyRelease(input({ signatures, trustedKeys: [alice.publicKey, old.publicKey] })).catch((e: Error) => e)) as Error;
        expect(err.message).toMatch(/^SHA256SUMS.asc: 1 valid signature from a trusted key, 2 required/);
        expect(err.message).toMatch(new RegExp(`key ${old.fingerprint} .*: the key expired on \\S+: get its current copy \\(builders extend the expiry\\) from guix.sigs/builder-keys`));
        // Judged at a time when it was valid, it counts.
        const then = new Date(Date.now() - 10 * day + 7_200_000);
        const r = await verifyRelease(input({ signatures: await sign(SUMS, [old], new Date(then.getTime() - 1000)), trustedKeys: [old.publicKey], threshold: 1, now: then }));
        expect(r.signers.map((s) => s.fingerprint)).toEqual([old.fingerprint]);
    });

    it("does not count a signature by a revoked key, even one revoked after it signed as 'superseded'", async () => {
        for (const reasonForRevocation of [undefined, { flag: openpgp.enums.reasonForRevocation.keySuperseded }]) {
            const b = await builder("Rob");
            const signatures = sig.alice + (await sign(SUMS, [b]));
            const { publicKey } = await openpgp.revokeKey({ key: b.privateKey, format: "armored", ...(reasonForRevocation ? { reasonForRevocation } : {}) });
            await expect(verifyRelease(input({ signatures, trustedKeys: [alice.publicKey, publicKey] }))).rejects.toThrow(
                new RegExp(`1 valid signature from a trusted key, 2 required.*key ${b.fingerprint} .*: the key is revoked: its signatures are not counted`, "s"),
            );
        }
    });

    it("refuses private keys and non-keys among the trusted keys, naming them", async () => {
        await expect(verifyRelease(input({ trustedKeys: [alice.privateKey.armor()], trustedKeyNames: ["keys/alice.asc"] }))).rejects.toThrow(
            "keys/alice.asc holds a private key: put only public keys there",
        );
        await expect(verifyRelease(input({ trustedKeys: [alice.privateKey.write()], trustedKeyNames: ["keys/alice.gpg"] }))).rejects.toThrow(
            `keys/alice.gpg holds a private key (${alice.fingerprint}): put only public keys there`,
        );
        await expect(verifyRelease(input({ trustedKeys: ["hello"], trustedKeyNames: ["keys/x.asc"] }))).rejects.toThrow(/^keys\/x.asc is not an OpenPGP public key/);
        await expect(verifyRelease(input({ trustedKeys: [] }))).rejects.toThrow(/^no trusted keys: add the armored public keys .* to keys\//);
    });

    it("reads binary keys, and an armored file holding several keys", async () => {
        const binary = (await openpgp.readKey({ armoredKey: alice.publicKey })).write();
        const both = (await openpgp.readKey({ armoredKey: bob.publicKey })).armor() + (await openpgp.readKey({ armoredKey: carol.publicKey })).armor();
        const r = await verifyRelease(input({ trustedKeys: [binary, both], threshold: 3, signatures: sig.alice + sig.bob + sig.carol }));
        expect(r.signers).toHaveLength(3);
    });

    it("verdict = (distinct trusted keys with a valid signature) >= threshold, for any mix of signatures", async () => {
        // Keys 0-2 trusted, 3 not; each signature is good (over SUMS) or bad (over other bytes).
        const pool = [alice, bob, carol, mallory];
        const good = pool.map((b) => sig[b.name.toLowerCase()]);
        const bad = await Promise.all(pool.map((b) => sign(`${SUMS}tampered\n`, [b])));
        const trustedKeys = [alice.publicKey, bob.publicKey, carol.publicKey];
        await fc.assert(
            fc.asyncProperty(
                fc.array(fc.record({ key: fc.integer({ min: 0, max: 3 }), good: fc.boolean() }), { minLength: 1, maxLength: 6 }),
                fc.integer({ min: 1, max: 3 }),
                async (picks, threshold) => {
                    const signatures = picks.map((p) => (p.good ? good : bad)[p.key]).join("\n");
                    const expected = [...new Set(picks.filter((p) => p.good && p.key < 3).map((p) => pool[p.key].fingerprint))].sort();
                    const verdict = await verifyRelease(input({ signatures, trustedKeys, threshold })).then(
                        (r) => r,
                        (e: Error) => e,
                    );
                    if (expected.length >= threshold) {
                        expect(verdict).not.toBeInstanceOf(Error);
                        if (verdict instanceof Error) return;
                        expect(verdict.signers.map((s) => s.fingerprint)).toEqual(expected);
                        expect(verdict.signers.length + verdict.notCounted.length).toBe(picks.length);
                    } else {
                        expect(verdict).toBeInstanceOf(Error);
                        expect((verdict as Error).message).toMatch(new RegExp(`^SHA256SUMS.asc: ${expected.length} valid signatures? from a trusted key, ${threshold} required`));
                    }
                },
            ),
            { numRuns: 60 },
        );
    });
});
