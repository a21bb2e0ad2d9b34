import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// scripts/test.sh's choice of the long suite a run has room for (its pick_long, run as bash runs it).
const pick = (left: number, roll: number, ...entries: string[]) =>
    execFileSync("bash", [path.join(__dirname, "test.sh"), "--pick-long", String(left), String(roll), ...entries], { encoding: "utf8" }).trim();

describe("the long suite npm test runs after the data center's queue", () => {
    const entries = ["test/datacenter/lightning.it.test.ts:35", "test/faults/faults.it.test.ts:12"];

    it("chooses only among the suites that fit in the seconds left", () => {
        expect(pick(12 * 60 - 1, 0, ...entries)).toBe("");
        expect(pick(12 * 60, 0, ...entries)).toBe("test/faults/faults.it.test.ts:12");
        expect(pick(34 * 60, 1, ...entries)).toBe("test/faults/faults.it.test.ts:12");
        expect(pick(35 * 60, 0, ...entries)).toBe("test/datacenter/lightning.it.test.ts:35");
        expect(pick(35 * 60, 1, ...entries)).toBe("test/faults/faults.it.test.ts:12");
        expect(pick(-300, 7, ...entries)).toBe("");
        expect(pick(9999, 3)).toBe("");
    });

    it("lists, in the script, the suites it may choose from with their minutes, each one a file that exists", () => {
        const text = fs.readFileSync(path.join(__dirname, "test.sh"), "utf8");
        const long = /^long=\((.*)\)$/m.exec(text)?.[1] ?? "";
        const listed = [...long.matchAll(/"([^":]+):(\d+)"/g)].map((m) => ({ file: m[1]!, minutes: Number(m[2]) }));
        expect(listed.map((l) => l.file)).toEqual(expect.arrayContaining(["test/faults/faults.it.test.ts"]));
        for (const l of listed) {
            expect(fs.existsSync(path.join(__dirname, "..", l.file))).toBe(true);
            expect(l.minutes).toBeGreaterThan(0);
        }
    });
});

describe("the short account of a failed run npm test prints last", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-digest-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const digest = (log: string) => {
        const file = path.join(dir, "jest.log");
        fs.writeFileSync(file, log);
        return execFileSync("bash", [path.join(__dirname, "test.sh"), "--failure-digest", file], { encoding: "utf8" });
    };

    it("keeps the failed tests and the engine's errors, each once, without colours", () => {
        const log = [
            "PASS integration test/a.it.test.ts (10 s)",
            "FAIL integration test/b.it.test.ts (700 s)",
            "  \u001b[1m● a data center › comes up\u001b[22m",
            "    CommandError: code: -2",
            "     +  bcm:tier:SystemContainerTier dc-kafka creating (0s) ",
            "    Diagnostics:",
            "      lxd:index:Exec (dc-apps-02-swarm):",
            "        error: exec in bcm-apps-02: exit 1: swarm join: timeout",
            "      pulumi:pulumi:Stack (bcm-dc):",
            "        error: update failed",
            "  ● a data center › shows no changes",
            "        error: update failed",
            "    TypeError: Cannot read properties of undefined (reading 'workloads')",
        ].join("\n");
        expect(digest(log).split("\n").filter(Boolean)).toEqual([
            "● a data center › comes up",
            "error: exec in bcm-apps-02: exit 1: swarm join: timeout",
            "error: update failed",
            "● a data center › shows no changes",
        ]);
    });

    it("is empty for a log without failures", () => {
        expect(digest("PASS integration test/a.it.test.ts (10 s)\nTests: 3 passed\n")).toBe("");
    });
});
