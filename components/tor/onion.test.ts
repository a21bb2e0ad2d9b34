import fc from "fast-check";
import { ed25519, x25519 } from "@noble/curves/ed25519";
import { base32, clientAuthorization, onionAddress, onionServiceKey, publicKeyFromTorFile } from "./onion";

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

    describe("onion service keys in Tor's file formats", () => {
        const hex = (h: string) => Uint8Array.from(Buffer.from(h, "hex"));
        const littleEndian = (b: Uint8Array) => BigInt("0x" + Buffer.from(b).reverse().toString("hex"));

        it("gives RFC 8032's public key for its first test seed", () => {
            const key = onionServiceKey(hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
            const publicKey = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
            expect(Buffer.from(publicKeyFromTorFile(key.publicKeyFile))).toEqual(Buffer.from(publicKey));
            expect(key.address).toBe(onionAddress(publicKey));
        });

        it("writes the headers, a clamped scalar whose point is the public key, and the nonce prefix", () => {
            fc.assert(
                fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
                    const key = onionServiceKey(seed);
                    expect(key.secretKeyFile).toHaveLength(96);
                    expect(key.publicKeyFile).toHaveLength(64);
                    expect(Buffer.from(key.secretKeyFile.subarray(0, 32)).toString("latin1")).toBe("== ed25519v1-secret: type0 ==\0\0\0");
                    const scalar = key.secretKeyFile.subarray(32, 64);
                    expect(scalar[0] & 7).toBe(0);
                    expect(scalar[31] & 0xc0).toBe(0x40);
                    const publicKey = publicKeyFromTorFile(key.publicKeyFile);
                    const point = ed25519.Point.BASE.multiply(littleEndian(scalar) % ed25519.Point.Fn.ORDER);
                    expect(Buffer.from(point.toBytes())).toEqual(Buffer.from(publicKey));
                    expect(Buffer.from(publicKey)).toEqual(Buffer.from(ed25519.getPublicKey(seed)));
                    const { prefix } = ed25519.utils.getExtendedPublicKey(seed);
                    expect(Buffer.from(key.secretKeyFile.subarray(64))).toEqual(Buffer.from(prefix));
                    expect(key.address).toBe(onionAddress(publicKey));
                }),
                { numRuns: 50 },
            );
        });

        it("refuses a seed that is not 32 bytes", () => {
            expect(() => onionServiceKey(new Uint8Array(64))).toThrow(/32 bytes, got 64/);
        });
    });
});
