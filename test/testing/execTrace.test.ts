import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isEngineProcess, parseExecTrace, secretLeaks } from "./execTrace";

/** Runs a shell script under strace the way the secrets trace does, and returns the trace. */
function traced(script: string, env: Record<string, string> = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-trace-"));
    const out = path.join(dir, "trace");
    const r = spawnSync("strace", ["-f", "-tt", "-v", "-s", "65536", "-e", "trace=execve", "-o", out, "sh", "-c", script], { env: { PATH: "/usr/bin:/bin", ...env }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`strace: ${r.stderr}`);
    const text = fs.readFileSync(out, "utf8");
    fs.rmSync(dir, { recursive: true });
    return text;
}

const rules = { engine: isEngineProcess, longLived: 2 };

describe("reading a complete execve trace (real strace)", () => {
    it("reads every program with its whole argv and environment, through escapes", () => {
        const execs = parseExecTrace(traced(`printf 'a\\n' | cat >/dev/null; env X='q"uo\\\\te' true "two words" 'new\nline'`));
        const t = execs.find((e) => e.path.endsWith("/true"))!;
        expect(t.argv).toEqual(["true", "two words", "new\nline"]);
        expect(execs.find((e) => e.path.endsWith("/env"))!.argv).toEqual(["env", 'X=q"uo\\\\te', "true", "two words", "new\nline"]);
        expect(t.env).toContain('X=q"uo\\\\te');
        expect(execs.every((e) => e.until !== undefined)).toBe(true);
    });

    it("finds a secret on any command line, even of a process that ran for a moment", () => {
        const secret = "s3cr3t-" + process.pid;
        const leaks = secretLeaks(parseExecTrace(traced(`echo ${secret} >/dev/null; /bin/echo ${secret} >/dev/null`)), { token: secret }, rules);
        expect(leaks).toEqual([expect.objectContaining({ secret: "token", where: "argv" }), expect.objectContaining({ secret: "token", where: "argv", program: "/bin/echo" })]);
    });

    it("passes a secret on standard input or in a short-lived environment, and finds it in a long-lived one", () => {
        const secret = "s3cr3t-" + process.pid;
        expect(secretLeaks(parseExecTrace(traced(`printf '%s' "$TOKEN" | cat >/dev/null`, { TOKEN: secret })), { token: secret }, rules).filter((l) => l.where === "argv")).toEqual([]);
        const long = secretLeaks(parseExecTrace(traced(`sleep 3`, { TOKEN: secret })), { token: secret }, rules);
        expect(long).toEqual(expect.arrayContaining([expect.objectContaining({ where: "env", program: "/usr/bin/sleep" })]));
        expect(long.every((l) => l.lived >= 2)).toBe(true);
    });

    it("counts the engine and its plugins as the engine", () => {
        const rec = (p: string, argv: string[] = []) => ({ pid: 1, at: 0, path: p, argv, env: [] });
        expect(isEngineProcess(rec("/root/.cache/bcm/engine-x/bin/pulumi"))).toBe(true);
        expect(isEngineProcess(rec("/root/.bcm/pulumi/plugins/resource-command-v1.2.1/pulumi-resource-command"))).toBe(true);
        expect(isEngineProcess(rec("/usr/bin/node", ["node", "/repo/node_modules/@pulumi/pulumi/cmd/run/index.js"]))).toBe(true);
        expect(isEngineProcess(rec("/usr/bin/dockerd"))).toBe(false);
        expect(isEngineProcess(rec("/usr/bin/node", ["node", "server.js"]))).toBe(false);
    });
});
