import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";

// Every Pulumi program of the repository's own (test programs, examples) sits below the root
// package.json, whose "main" is the built library (dist/index.js). Node's language host runs a
// project's `main`, else its package.json's: a program folder without a package.json of its
// own must name its program in Pulumi.yaml, or it runs the library instead and fails.
const root = path.resolve(__dirname, "..");
const projects = execFileSync("git", ["ls-files", "*Pulumi.yaml"], { cwd: root, encoding: "utf8" }).split("\n").filter((f) => f && f !== "Pulumi.yaml");

describe("the repository's Pulumi programs", () => {
    it("each names its program, or has a package.json of its own", () => {
        expect(projects.length).toBeGreaterThan(3);
        const unnamed = projects.filter((f) => {
            const dir = path.dirname(path.join(root, f));
            return !fs.existsSync(path.join(dir, "package.json")) && !/^main:\s*\S+/m.test(fs.readFileSync(path.join(root, f), "utf8"));
        });
        expect(unnamed).toEqual([]);
    });
});
