import fc from "fast-check";
import { dockerTypes } from "../lib/docker";
import { isSecretKey, secretWords } from "../lib/secrets";
import { computed, messages, runResourcePolicy } from "../testing/harness";
import { container, instance, regtest, service } from "../testing/fixtures";
import { noPlaintextSecrets } from "./noPlaintextSecrets";

const run = (r: Parameters<typeof runResourcePolicy>[1]) => runResourcePolicy(noPlaintextSecrets, r, regtest);

/** Env-var-like keys with a secret word somewhere in them, in any case. */
const secretKey = fc
    .tuple(
        fc.stringMatching(/^([A-Z][A-Z0-9]{0,6}_){0,2}$/),
        fc.constantFrom(...secretWords, "seed"),
        fc.stringMatching(/^(_[A-Z0-9]{1,6}){0,2}$/),
        fc.boolean(),
    )
    .map(([pre, word, post, lower]) => {
        const k = `${pre}${word.toUpperCase()}${post}`;
        return lower ? k.toLowerCase() : k;
    });
/** Keys built only from harmless words. */
const plainKey = fc
    .array(fc.constantFrom("BITCOIN", "NETWORK", "PORT", "HOST", "DATA", "DIR", "LOG", "LEVEL", "TOR", "PROXY", "SEEDNODE", "USER", "RPC"), { minLength: 1, maxLength: 4 })
    .map((ws) => ws.join("_"));
/** Literal values (marked with a character no message contains, to show values are never echoed). */
const literal = fc.string({ maxLength: 40 }).map((v) => `\u00a7${v}`);

describe("no-plaintext-secrets", () => {
    it("refuses any secret-looking env key with a literal value, naming the key but never the value", async () => {
        await fc.assert(
            fc.asyncProperty(secretKey, literal, async (key, value) => {
                const r = await run(service({ name: "lnd", env: { BITCOIN_NETWORK: "regtest", [key]: value } }));
                expect(r.violations).toHaveLength(1);
                expect(r.violations[0].level).toBe("mandatory");
                expect(r.violations[0].message).toBe(
                    `no-plaintext-secrets: service lnd sets secret-looking environment variable ${key} in taskSpec.containerSpec.env: ` +
                        "the value is stored in plain text in the spec, readable by anyone with access to the daemon; " +
                        "fix: put the value in a docker.Secret, mount it (taskSpec.containerSpec.secrets) and pass its path instead (e.g. RPC_PASSWORD_FILE=/run/secrets/rpc_password)",
                );
                expect(r.violations[0].message).not.toContain(value);
            }),
        );
    });

    it("refuses a secret-looking key whose value is a Pulumi secret or not known yet (they look the same to a policy)", async () => {
        const r = await run(service({ env: { RPC_PASSWORD: computed } }));
        expect(messages(r)).toHaveLength(1);
    });

    it("passes harmless keys with any value, and secret keys pointing at /run/secrets/", async () => {
        await fc.assert(
            fc.asyncProperty(plainKey, fc.string(), async (key, value) => {
                expect(isSecretKey(key)).toBe(false);
                expect((await run(service({ env: { [key]: value } }))).violations).toEqual([]);
            }),
        );
        const ok = await run(service({ env: { RPC_PASSWORD_FILE: "/run/secrets/rpc_password", MNEMONIC: "" } }));
        expect(ok.violations).toEqual([]);
    });

    it("checks container envs, labels and command lines", async () => {
        const r = await run(
            container({
                envs: ["LOG_LEVEL=info", "LND_MACAROON=0201036c6e64", "TOKEN_FILE=/run/secrets/t"],
                labels: [{ label: "bcm.tier", value: "bitcoin" }, { label: "api-key", value: "k" }],
                command: ["bitcoind", "-rpcpassword=hunter22", "-rpcuser=bcm", "--rpcauth", "bcm:salt$hash", "-rpccookiefile=/run/secrets/c"],
            }),
        );
        expect(messages(r)).toEqual([
            expect.stringContaining("container worker sets secret-looking environment variable LND_MACAROON in envs"),
            expect.stringContaining("container worker sets secret-looking label api-key in labels"),
            expect.stringContaining("container worker sets secret-looking command-line flag rpcpassword in command"),
            expect.stringContaining("container worker sets secret-looking command-line flag rpcauth in command"),
        ]);
        expect(messages(r).join("\n")).not.toMatch(/hunter22|0201036c6e64|salt\$hash/);
    });

    it("checks service labels and args", async () => {
        const r = await run(service({ labels: { "bcm.secret": "x" }, args: ["--bitcoind.rpcpass=abc", "--noseedbackup"] }));
        expect(messages(r)).toEqual([
            expect.stringContaining("sets secret-looking label bcm.secret in labels"),
            expect.stringContaining("sets secret-looking command-line flag bitcoind.rpcpass in taskSpec.containerSpec.args"),
        ]);
    });

    it("checks docker configs: a secret-looking name or setting in the data", async () => {
        const conf = (name: string, text: string) => ({
            type: dockerTypes.serviceConfig,
            name,
            props: { name, data: Buffer.from(text).toString("base64") },
        });
        const bad = await run(conf("bitcoin-conf", "# node\nserver=1\nrpcpassword=hunter22\n[regtest]\nrpcbind=0.0.0.0\n"));
        expect(messages(bad)).toEqual([expect.stringContaining("service config bitcoin-conf sets secret-looking setting rpcpassword (line 3) in its data")]);
        expect(messages(bad)[0]).not.toContain("hunter22");
        const torrc = await run(conf("torrc", "SocksPort 0.0.0.0:9050\nHashedControlPassword 16:ABCDEF\n"));
        expect(messages(torrc)[0]).toContain("HashedControlPassword (line 2)");
        expect(messages(await run(conf("lnd-macaroon", "x=1")))[0]).toContain("is named like a secret (lnd-macaroon)");
        expect((await run(conf("bitcoin-conf", "server=1\nrpccookiefile=/run/secrets/cookie\n"))).violations).toEqual([]);
    });

    it("checks LXD environment.* and user.* config keys", async () => {
        const r = await run(instance({ config: { "environment.RPC_PASSWORD": "x", "user.api_token": "y", "user.tier": "bitcoin", "security.nesting": "true" } }));
        expect(messages(r)).toEqual([
            expect.stringContaining("LXD instance bitcoin-01 sets secret-looking config environment.RPC_PASSWORD in its LXD config"),
            expect.stringContaining("sets secret-looking config user.api_token"),
        ]);
    });

    it("defers computed env lists and config data to the update", async () => {
        expect((await run(container({ envs: ["A=1", computed] }))).deferred).toContain("envs.1");
        expect((await run({ type: dockerTypes.serviceConfig, name: "c", props: { data: computed } })).deferred).toContain("data");
    });
});
