// The project's layers point one way, and no module imports itself back: read from the
// sources with the TypeScript compiler's own import scanner, so a new file is checked too.
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

const root = path.resolve(__dirname, "..");
const folders = ["automation", "bench", "components", "device", "engine", "images", "policy", "stacks", "test", "examples"];

/** Every TypeScript file of the project, relative to the root. */
function sources(): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
            const rel = path.join(dir, e.name);
            if (e.isDirectory()) {
                if (e.name !== "node_modules" && e.name !== "dist") walk(rel);
            } else if (/\.ts$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(rel);
        }
    };
    for (const f of folders) if (fs.existsSync(path.join(root, f))) walk(f);
    return out.sort();
}

/** The project files a file imports (relative specifiers resolved like Node: file.ts or dir/index.ts). */
function importsOf(file: string): string[] {
    const info = ts.preProcessFile(fs.readFileSync(path.join(root, file), "utf8"), true, true);
    return info.importedFiles
        .map((i) => i.fileName)
        .filter((s) => s.startsWith("."))
        .map((s) => path.normalize(path.join(path.dirname(file), s)))
        .map((base) => [`${base}.ts`, path.join(base, "index.ts"), base].find((c) => fs.existsSync(path.join(root, c)) && fs.statSync(path.join(root, c)).isFile()))
        .filter((f): f is string => f !== undefined && f.endsWith(".ts"));
}

const graph = new Map(sources().map((f) => [f, importsOf(f)]));
const layer = (f: string) => f.split(path.sep)[0];

/** Every import from a file under `from` into a folder of `to`, as "a → b" lines. */
function crossings(from: string[], to: string[]): string[] {
    return [...graph].flatMap(([f, deps]) => (from.includes(layer(f)) ? deps.filter((d) => to.includes(layer(d))).map((d) => `${f} → ${d}`) : []));
}

describe("layers", () => {
    it("reads the real import graph", () => {
        expect(graph.size).toBeGreaterThan(250);
        expect(graph.get(path.join("components", "datacenter", "dataCenter.ts"))).toContain(path.join("components", "gateway", "gatewayTier.ts"));
    });

    it("components/ and policy/ import nothing from automation/ (the CLI layer)", () => {
        expect(crossings(["components", "policy"], ["automation"])).toEqual([]);
    });

    it("components/, policy/ and stacks/ use the engine driver only in tests", () => {
        const production = crossings(["components", "policy", "stacks"], ["engine", "automation"]).filter((l) => !/\.test\.ts$|\/test\/|\/testing\//.test(l.split(" → ")[0]));
        // The cluster program finds the package and its built images through engine/paths and engine/artifacts.
        const allowed = (l: string) => l.startsWith(`stacks${path.sep}`) && /engine\/(paths|artifacts)\.ts$/.test(l);
        expect(production.filter((l) => !allowed(l))).toEqual([]);
    });

    it("device/ stands alone: it imports nothing else of the project", () => {
        expect([...graph].flatMap(([f, deps]) => (layer(f) === "device" ? deps.filter((d) => layer(d) !== "device").map((d) => `${f} → ${d}`) : []))).toEqual([]);
    });

    it("the engine driver imports only the device", () => {
        expect(crossings(["engine"], ["automation", "components", "policy", "stacks"])).toEqual([]);
    });

    it("no module imports itself back through others (no cycle)", () => {
        const cycles: string[] = [];
        const state = new Map<string, "open" | "done">();
        const visit = (f: string, trail: string[]) => {
            if (state.get(f) === "done") return;
            if (state.get(f) === "open") {
                cycles.push([...trail.slice(trail.indexOf(f)), f].join(" → "));
                return;
            }
            state.set(f, "open");
            for (const d of graph.get(f) ?? []) visit(d, [...trail, f]);
            state.set(f, "done");
        };
        for (const f of graph.keys()) visit(f, []);
        expect(cycles).toEqual([]);
    });
});
