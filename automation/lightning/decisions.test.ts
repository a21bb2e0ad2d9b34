import fc from "fast-check";
import { chains } from "../../components/bitcoin/chains";
import { bitcoinCliCommand, chainFor, fetchedName, identityMismatch, isEncryptedBackup, lncliCommand, parseBackupIndex, taskExecScript } from "./decisions";

describe("lightning decisions", () => {
    it("works on the cluster's own chain, and names the fix when asked for another", () => {
        expect(chainFor("c1", "signet", "signet")).toBe("signet");
        expect(chainFor("c1", undefined, undefined)).toBe("regtest");
        expect(() => chainFor("c1", "mainnet", "regtest")).toThrow("cluster c1 runs regtest, not mainnet; fix: ask with --chain regtest (a data center runs one chain; another chain is another cluster)");
        expect(() => chainFor("c1", undefined, "litecoin")).toThrow(/bcm:chain is "litecoin"/);
        fc.assert(fc.property(fc.constantFrom(...chains), fc.constantFrom(...chains), (a, b) => (a === b ? chainFor("c", a, b) === a : (() => { try { chainFor("c", a, b); return false; } catch { return true; } })())));
    });

    it("says in one line that the device answers for another seed when the running node differs", () => {
        const a = "02" + "a".repeat(64);
        const b = "03" + "b".repeat(64);
        expect(identityMismatch("c1", a, a)).toBeUndefined();
        const line = identityMismatch("c1", a, b)!;
        expect(line).toBe(`the device answers for another seed: cluster c1's lnd runs node ${b}, the device gives ${a}; fix: use the Trezor (and passphrase) that made this node`);
        expect(line).not.toContain("\n");
    });

    it("reads bcm-chanbackup's index.json and refuses what is not it", () => {
        const index = {
            version: 1,
            nodePubkey: "02" + "a".repeat(64),
            recipient: "ABCD",
            backups: [{ file: "channel-backup-20261201T101010.123Z-0123456789abcdef.pgp", time: "2026-12-01T10:10:10.123Z", sha256: "f".repeat(64), size: 500, channels: 1 }],
        };
        expect(parseBackupIndex(JSON.stringify(index))).toEqual(index);
        expect(() => parseBackupIndex("{")).toThrow(/not JSON; bcm-chanbackup rewrites it/);
        expect(() => parseBackupIndex(JSON.stringify({ ...index, version: 2 }))).toThrow(/not bcm-chanbackup's version 1/);
        expect(() => parseBackupIndex(JSON.stringify({ ...index, backups: [{ file: "../../etc/passwd" }] }))).toThrow(/names "..\/..\/etc\/passwd", not a backup file/);
        expect(fetchedName(index.backups[0]!.file)).toBe("channel-backup-20261201T101010.123Z-0123456789abcdef.backup");
    });

    it("tells an encrypted backup from lnd's own bytes by its name or armor", () => {
        expect(isEncryptedBackup("x.pgp", new Uint8Array([1]))).toBe(true);
        expect(isEncryptedBackup("x.asc", new Uint8Array([1]))).toBe(true);
        expect(isEncryptedBackup("x", Buffer.from("-----BEGIN PGP MESSAGE-----\n..."))).toBe(true);
        expect(isEncryptedBackup("channel-backup-x.backup", new Uint8Array([0x85, 1, 2]))).toBe(false);
    });

    it("calls the node's own CLIs with their config in the task, the user's arguments last", () => {
        expect(lncliCommand("regtest", ["getinfo"])).toEqual(["lncli", "--network=regtest", "--lnddir=/var/lib/lnd", "getinfo"]);
        expect(bitcoinCliCommand("btcd", ["getblockcount"])).toEqual(["btcctl", "--configfile=/run/secrets/btcctl.conf", "getblockcount"]);
        expect(bitcoinCliCommand("bitcoind", ["getblockcount"])).toEqual(["bitcoin-cli", "-conf=/run/secrets/bitcoin.conf", "getblockcount"]);
    });

    it("runs the task's command from arguments, never from the script text", () => {
        expect(taskExecScript(false)).toContain('exec docker exec "$t" "$@"');
        expect(taskExecScript(true)).toContain('exec docker exec -i "$t" "$@"');
        expect(taskExecScript(true)).toContain("exit 125");
    });
});
