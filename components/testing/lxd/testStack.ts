import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { Engine, findEngine, homeLayout, openStack } from "../../../engine";
import { messageOf } from "../../lxd/client/errors";
import { removeLeftovers } from "./lxdLeftovers";

/** What the test program declares, keyed by short names (see components/testing/programs/lxdResources/index.ts). */
export interface Declared {
    instances?: Record<string, unknown>;
    profiles?: Record<string, unknown>;
    images?: Record<string, unknown>;
    networks?: Record<string, unknown>;
    pools?: Record<string, unknown>;
    volumes?: Record<string, unknown>;
    execs?: Record<string, unknown>;
    /** An https endpoint for every resource; the key is read from a file by the program. */
    remote?: { url: string; serverFingerprint: string; clientCertificatePath: string; clientKeyPath: string };
}

const programDir = path.join(__dirname, "..", "programs", "lxdResources");

/**
 * A stack of the resources test program in a throwaway BCM home, on the project's engine
 * with the LXD provider found on PATH. Names it creates in LXD start with `prefix`, so a
 * test can sweep up whatever a failure left behind.
 */
export class TestStack {
    private constructor(
        public readonly stack: Stack,
        public readonly home: string,
        public readonly prefix: string,
        private readonly stackName: string,
    ) {}

    /** Opens a fresh stack; `label` (a letter or two) keeps the prefixes of test files apart. */
    public static async open(label: string, engine?: Engine): Promise<TestStack> {
        const prefix = `bt${process.pid % 100000}${label}`;
        await removeLeftovers(prefix);
        const home = fs.mkdtempSync(path.join(os.tmpdir(), `bcm-lxd-${label}-`));
        const stackName = `${prefix}`;
        const stack = await openStack({
            workDir: programDir,
            stackName,
            passphrase: "lxd-test-passphrase",
            home,
            engine: engine ?? (await findEngine()),
        });
        return new TestStack(stack, home, prefix, stackName);
    }

    /** Declares exactly these resources (everything else is deleted by the next up). */
    public async declare(d: Declared): Promise<void> {
        const config: Record<string, { value: string }> = {};
        for (const key of ["instances", "profiles", "images", "networks", "pools", "volumes", "execs"] as const) {
            config[key] = { value: JSON.stringify(d[key] ?? {}) };
        }
        await this.stack.setAllConfig(config);
        if (d.remote) {
            await this.stack.setConfig("remote", { value: JSON.stringify(d.remote) });
        } else {
            await this.stack.removeConfig("remote").catch(() => undefined);
        }
    }

    /** Declares, then runs `up`; the result's summary and outputs. */
    public async up(d: Declared) {
        await this.declare(d);
        return this.stack.up();
    }

    /** The error of an up that must fail (its message holds the engine's output). */
    public async failingUp(d: Declared): Promise<string> {
        await this.declare(d);
        try {
            await this.stack.up();
        } catch (err) {
            return messageOf(err);
        }
        throw new Error("the up succeeded, but it should have failed");
    }

    /** The plain-text files of the file backend, to check that no secret is stored in clear. */
    public stateFiles(): string[] {
        const { stateDir } = homeLayout(this.home);
        const files: string[] = [];
        const walk = (d: string) => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) walk(p);
                else files.push(p);
            }
        };
        walk(stateDir);
        return files;
    }

    /**
     * Destroys the stack, sweeps up anything left under the prefix (and the given images),
     * removes the stack and its home. Never throws: it runs after failed tests too.
     * @returns what the sweep found left over.
     */
    public async dispose(fingerprints: string[] = []): Promise<string[]> {
        await this.stack.destroy().catch((e) => process.stderr.write(`destroy of ${this.stackName} failed: ${e}\n`));
        const left = await removeLeftovers(this.prefix, fingerprints).catch((e) => [`sweep failed: ${e}`]);
        await this.stack.workspace.removeStack(this.stackName).catch(() => undefined);
        fs.rmSync(this.home, { recursive: true, force: true });
        return left;
    }
}
