import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { annotateSecrets, hasProgramSecrets, isSecret, makeSecret, protectClientKey, redact, secretStrings, unwrapSecrets } from "./rpc";

const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

describe("secrets between the engine and the handlers", () => {
    it("unwraps secrets at any depth", () => {
        expect(unwrapSecrets({ a: secret("k"), b: [secret(1), 2], c: secret({ d: secret("x") }) })).toEqual({ a: "k", b: [1, 2], c: { d: "x" } });
    });

    it("marks outputs secret where the inputs were, key by key through objects, whole for arrays", () => {
        const ins = { endpoint: { url: "u", clientKey: secret("k") }, config: { "user.a": secret("1"), "user.b": "2" }, list: ["a", secret("b")], top: secret("t") };
        const outs = { endpoint: { url: "u", clientKey: "k" }, config: { "user.a": "1", "user.b": "2", "volatile.x": "v" }, list: ["a", "b"], top: "t", extra: "e" };
        expect(annotateSecrets(outs, ins)).toEqual({
            endpoint: { url: "u", clientKey: secret("k") },
            config: { "user.a": secret("1"), "user.b": "2", "volatile.x": "v" },
            list: secret(["a", "b"]),
            top: secret("t"),
            extra: "e",
        });
    });

    it("always keeps the client key secret, and wraps only once", () => {
        expect(protectClientKey({ endpoint: { url: "https://h", clientKey: "k" } })).toEqual({ endpoint: { url: "https://h", clientKey: secret("k") } });
        expect(protectClientKey({ endpoint: { url: "https://h", clientKey: secret("k") } })).toEqual({ endpoint: { url: "https://h", clientKey: secret("k") } });
        expect(protectClientKey({ endpoint: { url: "unix://" } })).toEqual({ endpoint: { url: "unix://" } });
        expect(isSecret(makeSecret(makeSecret("x")))).toBe(true);
        expect(unwrapSecrets(makeSecret(makeSecret("x")))).toBe("x");
    });

    it("tells secrets the program marked from the endpoint's key, which is always secret", () => {
        expect(hasProgramSecrets({ environment: { A: secret("x") }, endpoint: { url: "u" } })).toBe(true);
        expect(hasProgramSecrets({ create: ["sh", secret("x")] })).toBe(true);
        expect(hasProgramSecrets({ environment: { A: "x" }, endpoint: { url: "u", clientKey: secret("k") } })).toBe(false);
        expect(hasProgramSecrets({ endpoint: { url: "u", clientCertificate: secret("c") } })).toBe(true);
    });

    it("blanks secrets out of messages, longest first, leaving ones too short to find safely", () => {
        const secrets = secretStrings({ a: secret("hunter22"), b: [secret({ c: "hunter22-long" })], d: "plain", e: secret("1") });
        expect(secrets).toEqual(["hunter22", "hunter22-long"]);
        expect(redact("pw hunter22-long and hunter22, 1 plain", secrets)).toBe("pw [secret] and [secret], 1 plain");
    });
});
