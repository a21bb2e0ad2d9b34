import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { backendUrl, bcmHome, homeLayout } from "./paths";
import { engineEnv } from "./environment";
import { readEngine } from "./toolchain";

describe("engine layer", () => {
    it("keeps BCM's state under BCM_HOME, default ~/.bcm, always absolute", () => {
        expect(bcmHome({ BCM_HOME: "/srv/bcm" })).toBe("/srv/bcm");
        expect(bcmHome({ BCM_HOME: "rel/dir" })).toBe(path.resolve("rel/dir"));
        expect(bcmHome({})).toBe(path.join(os.homedir(), ".bcm"));
        expect(homeLayout("/srv/bcm")).toEqual({ stateDir: "/srv/bcm/state", pulumiHome: "/srv/bcm/pulumi" });
    });

    it("refuses a relative backend path instead of letting file:// resolve it elsewhere", () => {
        expect(backendUrl("/srv/bcm/state")).toBe("file:///srv/bcm/state");
        expect(() => backendUrl("state")).toThrow(/absolute path, got "state"/);
    });

    it("gives every run a file backend, no update check, no plugin download, and the passphrase in env", () => {
        const engine = { dir: "/e", binDir: "/e/bin", cliVersion: "3.248.0", plugins: {} };
        const env = engineEnv(engine, "/srv/bcm", "pw");
        expect(env.PATH.split(path.delimiter)[0]).toBe("/e/bin");
        expect(env).toMatchObject({
            PULUMI_HOME: "/srv/bcm/pulumi",
            PULUMI_BACKEND_URL: "file:///srv/bcm/state",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_CONFIG_PASSPHRASE: "pw",
        });
    });

    it("names the missing piece when an engine directory is not a complete build", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-engine-"));
        try {
            expect(() => readEngine(dir)).toThrow(/not a built engine.*npm run setup/);
            fs.writeFileSync(
                path.join(dir, "versions.json"),
                JSON.stringify({ pulumi: "3.248.0", plugins: { random: "4.21.1" } }),
            );
            fs.mkdirSync(path.join(dir, "bin"));
            fs.writeFileSync(path.join(dir, "bin", "pulumi"), "");
            expect(() => readEngine(dir)).toThrow(/pulumi-resource-random is missing/);
            fs.mkdirSync(path.join(dir, "plugins"));
            fs.writeFileSync(path.join(dir, "plugins", "pulumi-resource-random"), "");
            expect(readEngine(dir).plugins.random.version).toBe("4.21.1");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
