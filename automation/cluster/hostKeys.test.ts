import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { chooseHostKey, fingerprint, knownKeys, parseKeyLine, pinHostKey } from "./hostKeys";

/** A fresh ed25519 host key, as ssh-keygen writes it, with OpenSSH's own fingerprint of it. */
function sshKeygen(): { line: string; fp: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-hk-"));
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "k")]);
    const line = fs.readFileSync(path.join(dir, "k.pub"), "utf8").trim();
    const fp = execFileSync("ssh-keygen", ["-lf", path.join(dir, "k.pub")], { encoding: "utf8" }).split(" ")[1];
    fs.rmSync(dir, { recursive: true });
    return { line, fp };
}

describe("pinned SSH host keys", () => {
    const a = sshKeygen();
    const b = sshKeygen();
    const ka = parseKeyLine(a.line)!;
    const kb = parseKeyLine(b.line)!;

    it("computes OpenSSH's SHA256 fingerprint", () => {
        expect(fingerprint(ka)).toBe(a.fp);
        expect(fingerprint(kb)).toBe(b.fp);
    });

    it("finds a host's keys in known_hosts: plain, [host]:port, hashed, wildcards; not negated or other hosts", () => {
        const salt = Buffer.from("0123456789abcdefghij");
        const hashed = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update("[10.0.0.9]:2222").digest("base64")}`;
        const text = [
            "# comment",
            `10.0.0.5,host5 ${a.line}`,
            `[10.0.0.5]:2222 ${b.line}`,
            `${hashed} ${b.line}`,
            `*.lan,!bad.lan ${a.line}`,
            `@revoked 10.0.0.7 ${b.line}`,
            `@cert-authority * ${b.line}`,
        ].join("\n");
        expect(knownKeys(text, "10.0.0.5", 22).keys).toEqual([ka]);
        expect(knownKeys(text, "10.0.0.5", 2222).keys).toEqual([kb]);
        expect(knownKeys(text, "10.0.0.9", 2222).keys).toEqual([kb]);
        expect(knownKeys(text, "x.lan", 22).keys).toEqual([ka]);
        expect(knownKeys(text, "bad.lan", 22).keys).toEqual([]);
        expect(knownKeys(text, "10.0.0.7", 22)).toEqual({ keys: [], revoked: [kb] });
        expect(knownKeys(text, "10.0.0.6", 22).keys).toEqual([]);
    });

    it("pins the offered key that is expected, and refuses unknown, changed and revoked keys naming the offered fingerprint", () => {
        expect(chooseHostKey("root@h:22", [kb, ka], [ka], [], "--host-key")).toEqual(ka);
        expect(() => chooseHostKey("root@h:22", [ka], [], [], "/k")).toThrow(new RegExp(`^--ssh root@h:22: unknown host key: the host offers ${a.fp.replace(/[+/]/g, "\\$&")} \\(ssh-ed25519\\)`));
        expect(() => chooseHostKey("root@h:22", [ka], [kb], [], "/k")).toThrow(/HOST KEY CHANGED: the host offers SHA256:.* but \/k pins SHA256:/);
        expect(() => chooseHostKey("root@h:22", [ka], [ka], [ka], "/k")).toThrow(/marks @revoked/);
        expect(() => chooseHostKey("root@h:22", [], [ka], [], "/k")).toThrow(/offered no SSH host key/);
    });

    it("never pins a key the host did not offer", () => {
        fc.assert(
            fc.property(fc.subarray([ka, kb]), fc.subarray([ka, kb]), (offered, expected) => {
                let chosen;
                try {
                    chosen = chooseHostKey("t", offered, expected, [], "s");
                } catch {
                    return;
                }
                expect(offered).toContainEqual(chosen);
                expect(expected).toContainEqual(chosen);
            }),
        );
    });

    it("reads known_hosts when no --host-key is given, and checks --host-key against what the host offers", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-kh-"));
        const file = path.join(dir, "known_hosts");
        fs.writeFileSync(file, `[h]:2200 ${a.line}\n`);
        const scan = async () => [ka];
        const t = { user: "root", host: "h", port: 2200 };
        expect(await pinHostKey(t, undefined, file, scan)).toBe(`${ka.type} ${ka.key}`);
        expect(await pinHostKey(t, b.line.replace(kb.key, ka.key), file, scan)).toBe(`${ka.type} ${ka.key}`);
        await expect(pinHostKey(t, b.line, file, scan)).rejects.toThrow(/HOST KEY CHANGED/);
        await expect(pinHostKey({ ...t, port: 22 }, undefined, file, scan)).rejects.toThrow(new RegExp(`unknown host key: the host offers ${a.fp.replace(/[+/]/g, "\\$&")}`));
        await expect(pinHostKey(t, "garbage", file, scan)).rejects.toThrow(/^--host-key "garbage": not an SSH public key/);
        fs.rmSync(dir, { recursive: true });
    });
});
