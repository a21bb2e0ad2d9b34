// BCM as a library, as another project would use it: `npm run build`, `npm pack`, the tarball
// installed into a fresh project, and both examples (examples/) run there against the real
// engine, LXD and Swarm: a Pulumi program of its own (the gateway and a "notes" tier) and an
// Automation API script (the standalone data center up and down).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { findEngine, repoRoot } from "../engine";

const run = (cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }) =>
    execa(cmd, args, { cwd: opts.cwd, env: opts.env, stdin: "ignore", reject: false, all: true });

/** What went wrong, with the end of the output, when a step fails. */
function ok(r: { exitCode?: number; all?: string }, what: string): string {
    if (r.exitCode !== 0) throw new Error(`${what} failed (exit ${r.exitCode}):\n${(r.all ?? "").split("\n").slice(-40).join("\n")}`);
    return r.all ?? "";
}

const bcmContainers = async () => (await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-"], { stdin: "ignore" })).stdout.trim();

describe("the bcm package, installed into a project of its own", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-lib-"));
    const home = path.join(dir, "bcm-home");
    let env: NodeJS.ProcessEnv;
    /** The engine's environment a program of its own runs `pulumi` with (from the installed bcm/engine). */
    let penv: NodeJS.ProcessEnv;

    beforeAll(async () => {
        if ((await bcmContainers()) !== "") throw new Error(`system containers already exist on this LXD (${await bcmContainers()}): destroy that data center first (npm run up -- --destroy)`);
        ok(await run("bash", ["scripts/build.sh"], { cwd: repoRoot }), "npm run build");
        const packed = ok(await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: repoRoot }), "npm pack");
        const tarball = path.join(dir, JSON.parse(packed.slice(packed.indexOf("[")))[0].filename as string);
        const own = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
        // One project for both examples (each in its own folder; packages resolve from here).
        fs.writeFileSync(
            path.join(dir, "package.json"),
            JSON.stringify({
                name: "bcm-library-test",
                private: true,
                dependencies: { bcm: `file:${tarball}`, "@pulumi/pulumi": own.dependencies["@pulumi/pulumi"] },
                devDependencies: { typescript: own.devDependencies.typescript, "ts-node": own.devDependencies["ts-node"], "@types/node": own.devDependencies["@types/node"] },
            }),
        );
        // As in the repository: @pulumi/command's install script would download its plugin.
        fs.writeFileSync(path.join(dir, ".npmrc"), "ignore-scripts=true\n");
        ok(await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir }), "npm install of the tarball");
        for (const example of ["program", "automation"]) {
            fs.cpSync(path.join(repoRoot, "examples", example), path.join(dir, example), { recursive: true, filter: (f) => !f.endsWith("package.json") });
        }
        const engine = await findEngine();
        env = { ...process.env, BCM_HOME: home, BCM_ENGINE_DIR: engine.dir, PULUMI_CONFIG_PASSPHRASE: "library-test" };
        const engineEnvJson = ok(await run("node", ["-e", printEngineEnv], { cwd: dir, env }), "engineEnv");
        penv = { ...env, ...(JSON.parse(engineEnvJson.trim().split("\n").pop()!) as Record<string, string>) };
    });

    afterAll(async () => {
        // Whatever a failed step left: the program's stack, then the standalone one.
        await run("pulumi", ["destroy", "--yes", "--skip-preview", "--non-interactive", "-s", "lib"], { cwd: path.join(dir, "program"), env: penv });
        await run("node", ["-e", 'require("bcm/automation").standaloneDestroy({ say: () => {} }).catch(() => {})'], { cwd: dir, env: { ...env, PULUMI_CONFIG_PASSPHRASE: "" } });
    });

    it("ships the compiled library, its type declarations and the provider plugin, and no sources or tests", () => {
        const pkg = path.join(dir, "node_modules", "bcm");
        for (const f of ["dist/index.js", "dist/index.d.ts", "dist/components/datacenter/index.d.ts", "dist/policy/PulumiPolicy.yaml", "components/lxd/provider/bin/pulumi-resource-lxd", "automation/bin/bcm.js"]) {
            expect(fs.existsSync(path.join(pkg, f))).toBe(true);
        }
        expect(fs.existsSync(path.join(pkg, "components", "lxd", "provider", "main.ts"))).toBe(false);
        expect(fs.readdirSync(path.join(pkg, "dist"), { recursive: true }).some((f) => String(f).includes(".test."))).toBe(false);
    });

    it("type-checks both examples against the package's declarations", async () => {
        for (const example of ["program", "automation"]) ok(await run("npx", ["tsc", "--noEmit", "-p", example], { cwd: dir }), `tsc of ${example}`);
    });

    it("finds the engine with the package's own build script, and the bcm command runs compiled", async () => {
        const printed = ok(await run("bash", ["node_modules/bcm/toolchain/build.sh", "--print"], { cwd: dir, env: { ...env, BCM_ENGINE_DIR: "" } }), "toolchain/build.sh --print");
        expect(printed.trim().split("\n").pop()).toBe(env.BCM_ENGINE_DIR);
        expect(ok(await run("npx", ["bcm", "--version"], { cwd: dir, env }), "bcm --version").trim()).toBe(JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version);
    });

    it("runs the Pulumi program of its own: the gateway and the notes tier come up, notes answers on its overlay, destroy leaves nothing", async () => {
        const program = path.join(dir, "program");
        // The LXD plugin the engine runs is the installed package's, not the repository's.
        const plugin = fs.readFileSync(path.join(home, "pulumi", "plugins", fs.readdirSync(path.join(home, "pulumi", "plugins")).find((d) => d.startsWith("resource-lxd-"))!, "pulumi-resource-lxd"), "utf8");
        expect(plugin).toContain(path.join(dir, "node_modules", "bcm"));
        ok(await run("pulumi", ["stack", "init", "lib"], { cwd: program, env: penv }), "pulumi stack init");
        ok(await run("pulumi", ["config", "set", "text", "notes of my own"], { cwd: program, env: penv }), "pulumi config set");
        ok(await run("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive"], { cwd: program, env: penv }), "pulumi up of the example program");
        const outputs = JSON.parse(ok(await run("pulumi", ["stack", "output", "--json", "--show-secrets"], { cwd: program, env: penv }), "stack output"));
        expect(outputs.containers.map((c: { name: string }) => c.name)).toEqual(["bcm-gateway-01", "bcm-notes-01"]);
        expect(outputs.notes).toEqual({ service: "notes", url: "http://notes:8080/" });
        const page = await execa("lxc", ["exec", "bcm-notes-01", "--", "sh", "-c", fetchNotes], { stdin: "ignore" });
        expect(page.stdout.trim()).toBe("notes of my own");
        ok(await run("pulumi", ["destroy", "--yes", "--skip-preview", "--non-interactive"], { cwd: program, env: penv }), "pulumi destroy");
        expect(await bcmContainers()).toBe("");
    });

    it("runs the Automation API script: the standalone data center up with progress, then down", async () => {
        const out = ok(await run("npx", ["ts-node", "--transpile-only", "automation/upAndDown.ts"], { cwd: dir, env: { ...env, PULUMI_CONFIG_PASSPHRASE: "" } }), "the automation example");
        const lines = out.split("\n").filter((l) => l.startsWith("{"));
        const up = JSON.parse(lines.find((l) => l.includes('"up"'))!);
        expect(up.containers.map((c: { name: string }) => c.name)).toEqual(["bcm-gateway-01"]);
        expect(up.socks).toMatch(/^\d+\.\d+\.\d+\.\d+:9050$/);
        expect(JSON.parse(lines.find((l) => l.includes('"destroyed"'))!)).toEqual({ destroyed: true, kept: [] });
        // Progress came through (the live status lines of the engine's events).
        expect(out).toMatch(/^\[bcm up +\d+\.\ds\] /m);
        expect(await bcmContainers()).toBe("");
    });
});

/** Prints the engine environment a program of its own runs `pulumi` with, plugins installed (bcm/engine). */
const printEngineEnv = `
const e = require("bcm/engine");
(async () => {
  // A file backend needs its directory, as \`pulumi login file://…\` does.
  require("node:fs").mkdirSync(e.homeLayout(process.env.BCM_HOME).stateDir, { recursive: true });
  const engine = await e.findEngine();
  const env = e.engineEnv(engine, process.env.BCM_HOME, process.env.PULUMI_CONFIG_PASSPHRASE);
  await e.installPlugins(engine, env);
  console.log(JSON.stringify(env));
})().catch((err) => { console.error(err); process.exit(1); });
`;

/** Fetches the notes page from inside the notes task: it serves on its overlay name. */
const fetchNotes =
    't="$(docker ps -q --filter label=com.docker.swarm.service.name=notes | head -n 1)"; ' +
    "docker exec \"$t\" python3 -c 'import urllib.request; print(urllib.request.urlopen(\"http://notes:8080/\").read().decode())'";
