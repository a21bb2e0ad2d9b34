import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { annotateSecrets, isSecret, makeSecret, protectClientKey, unwrapSecrets } from "./rpc";

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
});
