import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { Engine, engineEnv, findEngine, homeLayout, installPlugins, repoRoot } from "../engine";
import { policyPackConfig, PolicySettingsInput } from "./settings";

// The pack as the engine runs it: `pulumi preview --policy-pack policy --policy-pack-config
// <file>` on policy/testing/program (real @pulumi/docker resources, previewed only, so the
// docker provider plugin is loaded but nothing is created), on the project's own engine.
describe("the policy pack on the engine", () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-policy-"));
    const program = path.join(work, "program");
    const stackName = "policy-test";
    let engine: Engine;
    let env: Record<string, string>;
    let pulumi: string;

    const regtest: PolicySettingsInput = { chain: "regtest", device: "mnemonic", privateRegistry: "127.0.0.1:5010" };

    beforeAll(async () => {
        engine = await findEngine();
        pulumi = path.join(engine.binDir, "pulumi");
        env = engineEnv(engine, work, "policy-test-passphrase");
        fs.mkdirSync(homeLayout(work).stateDir, { recursive: true });
        await installPlugins(engine, env);
        // A copy of the program, so that `stack init` writes its stack file outside the
        // repository; its packages resolve through a link to the repository's node_modules.
        fs.mkdirSync(program);
        for (const f of ["Pulumi.yaml", "package.json", "index.ts"]) {
            fs.copyFileSync(path.join(__dirname, "testing", "program", f), path.join(program, f));
        }
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(program, "node_modules"), "dir");
        await execa(pulumi, ["stack", "init", stackName, "--non-interactive"], { cwd: program, env });
    });

    afterAll(() => {
        // Only previews ran: there is no resource to destroy, only the state directory.
        fs.rmSync(work, { recursive: true, force: true });
    });

    /** Previews one variant of the program with the pack, configured from `settings`. */
    async function preview(variant: string, settings: PolicySettingsInput | Record<string, unknown>) {
        const file = path.join(work, `${variant}-${Object.keys(settings).join("-")}.json`);
        fs.writeFileSync(file, JSON.stringify(policyPackConfig(settings as PolicySettingsInput), null, 2));
        const r = await execa(
            pulumi,
            ["preview", "--non-interactive", "--color", "never", "--policy-pack", path.join(repoRoot, "policy"), "--policy-pack-config", file],
            { cwd: program, env: { ...env, BCM_POLICY_TEST_VARIANT: variant }, reject: false, all: true },
        );
        return { exitCode: r.exitCode, output: r.all ?? "" };
    }

    it("runs on the docker provider plugin the SDK asks for", async () => {
        const ls = await execa(pulumi, ["plugin", "ls", "--json"], { env });
        const plugins = JSON.parse(ls.stdout) as { name: string; kind: string; version: string }[];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const sdk = require("@pulumi/docker/package.json") as { pulumi: { version: string } };
        expect(plugins).toContainEqual(expect.objectContaining({ name: "docker", kind: "resource", version: sdk.pulumi.version }));
    });

    it("previews a well-formed tier clean", async () => {
        const r = await preview("clean", regtest);
        expect(r.output).not.toContain("[mandatory]");
        expect(r.output).toMatch(/bcm@v0\.1\.0 \(local: .*policy\)/);
        expect(r.exitCode).toBe(0);
    });

    it("refuses the same tier publishing Bitcoin RPC, naming the policy, the resource and the fix", async () => {
        const r = await preview("rpc-published", regtest);
        expect(r.exitCode).not.toBe(0);
        expect(r.output).toContain("[mandatory]  bitcoin-rpc-never-published  (docker:index/service:Service: bitcoind)");
        expect(r.output).toContain(
            "bitcoin-rpc-never-published: service bitcoind publishes 8332 (Bitcoin mainnet RPC) on the host: RPC must stay on the tier's overlay network; fix: remove endpointSpec.ports entry 8332",
        );
        expect(r.output).toContain("[mandatory]  no-undeclared-published-ports  (docker:index/service:Service: bitcoind)");
        expect(r.output).toContain("error: preview failed");
    });

    it("refuses a service on a network that is not internal, resolved through its dependencies", async () => {
        const r = await preview("open-network", regtest);
        expect(r.exitCode).not.toBe(0);
        expect(r.output).toContain("[mandatory]  egress-only-through-tor  (docker:index/service:Service: bitcoind)");
        expect(r.output).toContain(
            'egress-only-through-tor: service bitcoind can reach outside without Tor: it may be attached to network "bitcoind-net" (its reference is not known before deploy), which is not internal: true',
        );
    });

    it("refuses a docker provider on TCP without client certificates", async () => {
        const r = await preview("tcp-docker-api", regtest);
        expect(r.exitCode).not.toBe(0);
        expect(r.output).toContain("[mandatory]  docker-api-needs-mutual-tls  (pulumi:providers:docker: tier)");
        expect(r.output).toContain("fix: set caMaterial, certMaterial and keyMaterial (or certPath)");
    });

    it("refuses a Pulumi secret in an environment variable without ever printing it", async () => {
        const r = await preview("secret-env", regtest);
        expect(r.exitCode).not.toBe(0);
        expect(r.output).toContain("[mandatory]  no-plaintext-secrets  (docker:index/service:Service: bitcoind)");
        expect(r.output).toContain("sets secret-looking environment variable BITCOIN_RPC_PASSWORD in taskSpec.containerSpec.env");
        expect(r.output).not.toContain("policy-test-rpc-password");
    });

    it("keeps mandatory policies mandatory when the config file downgrades them", async () => {
        const file = path.join(work, "downgrade.json");
        const config = policyPackConfig(regtest) as Record<string, Record<string, unknown>>;
        config["bitcoin-rpc-never-published"].enforcementLevel = "advisory";
        fs.writeFileSync(file, JSON.stringify(config));
        const r = await execa(
            pulumi,
            ["preview", "--non-interactive", "--color", "never", "--policy-pack", path.join(repoRoot, "policy"), "--policy-pack-config", file],
            { cwd: program, env: { ...env, BCM_POLICY_TEST_VARIANT: "rpc-published" }, reject: false, all: true },
        );
        expect(r.exitCode).not.toBe(0);
        expect(r.all).toContain("[mandatory]  bitcoin-rpc-never-published");
    });

    it("prints the reason of a relaxed advisory policy and refuses relaxing a mandatory one", async () => {
        const relaxedOnly = await preview("clean", { ...regtest, relaxed: { "resource-limits-set": "lab machine with 2 GB" } });
        expect(relaxedOnly.output).toContain("[advisory]  resource-limits-set");
        expect(relaxedOnly.output).toContain("resource-limits-set: relaxed: lab machine with 2 GB");
        expect(relaxedOnly.exitCode).toBe(0);

        const mandatory = await preview("clean", { ...regtest, relaxed: { "no-plaintext-secrets": "just this once" } });
        expect(mandatory.exitCode).not.toBe(0);
        expect(mandatory.output).toContain("[mandatory]  only-advisory-policies-relaxed");
        expect(mandatory.output).toContain("policy config relaxes mandatory policy no-plaintext-secrets");
    });

    it("refuses mainnet without the Trezor, and a config that breaks the schema", async () => {
        const mainnet = await preview("clean", { chain: "mainnet", device: "mnemonic", privateRegistry: "127.0.0.1:5010" });
        expect(mainnet.exitCode).not.toBe(0);
        expect(mainnet.output).toContain("[mandatory]  mainnet-needs-hardware-device");
        // mainnet also wants digests: the tag-only image is refused too.
        expect(mainnet.output).toContain("without a digest on a mainnet stack");

        const invalid = await preview("clean", { ...regtest, chain: "moonnet" });
        expect(invalid.exitCode).not.toBe(0);
        expect(invalid.output).toContain('validating policy config: bcm 0.1.0  no-privileged-containers: chain: chain must be one of the following');
    });
});
