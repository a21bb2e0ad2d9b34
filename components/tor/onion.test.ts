import fc from "fast-check";
import { x25519 } from "@noble/curves/ed25519";
import { base32, clientAuthorization, onionAddress, publicKeyFromTorFile } from "./onion";

describe("onion addresses and client authorization", () => {
    it("spells base32 as RFC 4648 does (its test vectors, lower-case, no padding)", () => {
        const cases: [string, string][] = [["", ""], ["f", "my"], ["fo", "mzxq"], ["foo", "mzxw6"], ["foob", "mzxw6yq"], ["fooba", "mzxw6ytb"], ["foobar", "mzxw6ytboi"]];
        for (const [input, want] of cases) expect(base32(Buffer.from(input))).toBe(want);
    });

    it("derives a 56-character v3 address ending in d (version 3)", () => {
        fc.assert(
            fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
                const address = onionAddress(key);
                expect(address).toMatch(/^[a-z2-7]{55}d\.onion$/);
            }),
        );
        expect(() => onionAddress(new Uint8Array(31))).toThrow(/32 bytes, got 31/);
    });

    it("reads Tor's public key file and refuses anything else", () => {
        const key = new Uint8Array(32).fill(7);
        const file = Buffer.concat([Buffer.from("== ed25519v1-public: type0 ==\0\0\0"), key]);
        expect(Buffer.from(publicKeyFromTorFile(file))).toEqual(Buffer.from(key));
        expect(() => publicKeyFromTorFile(key)).toThrow(/not a Tor hs_ed25519_public_key file/);
    });

    it("pairs the service's public line with the client's private line", () => {
        const onion = onionAddress(new Uint8Array(32).fill(1));
        const privateKey = x25519.utils.randomPrivateKey();
        const auth = clientAuthorization(onion, privateKey);
        expect(auth.serviceLine).toBe(`descriptor:x25519:${base32(x25519.getPublicKey(privateKey)).toUpperCase()}`);
        expect(auth.clientLine).toBe(`${onion.replace(".onion", "")}:descriptor:x25519:${base32(privateKey).toUpperCase()}`);
        expect(auth.serviceLine).toMatch(/^descriptor:x25519:[A-Z2-7]{52}$/);
        expect(() => clientAuthorization("example.onion")).toThrow(/not a v3 onion address/);
    });
});
