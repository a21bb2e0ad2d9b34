import fc from "fast-check";
import { fromRegistry, parseImageRef, pinnedByDigest } from "./images";
import { parseProxyAddress } from "./lxd";
import { decodeConfigData, isSecretKey, secretFlags, secretSettings } from "./secrets";

describe("image references", () => {
    it("splits registry, repository, tag and digest", () => {
        const d = `sha256:${"0".repeat(64)}`;
        expect(parseImageRef(`127.0.0.1:5010/bcm/tor:0.4.9@${d}`)).toEqual({ registry: "127.0.0.1:5010", repository: "bcm/tor", tag: "0.4.9", digest: d });
        expect(parseImageRef("tor")).toEqual({ registry: undefined, repository: "tor", tag: undefined, digest: undefined });
        expect(parseImageRef("bcm/tor:1")).toEqual({ registry: undefined, repository: "bcm/tor", tag: "1", digest: undefined });
        expect(pinnedByDigest(`x@${d}`)).toBe(true);
        expect(pinnedByDigest("x@sha256:ABC")).toBe(false);
    });

    it("belongs to a registry only with that exact prefix and a valid repository", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z0-9]+(\/[a-z0-9]+)*$/), (repo) => {
                expect(fromRegistry(`registry:5010/${repo}:1`, "registry:5010")).toBe(true);
                expect(fromRegistry(`registry:50100/${repo}:1`, "registry:5010")).toBe(false);
                expect(fromRegistry(`registry:5010.evil/${repo}:1`, "registry:5010")).toBe(false);
            }),
        );
        expect(fromRegistry("registry:5010/", "registry:5010")).toBe(false);
        expect(fromRegistry("registry/bcm/tor", "registry")).toBe(true);
    });
});

describe("secret-looking keys", () => {
    it("matches the usual spellings and not look-alikes", () => {
        for (const k of ["RPC_PASSWORD", "rpcpassword", "bitcoind.rpcpass", "API-KEY", "apiKey", "WALLET_SEED", "seed", "LND_MACAROON_HEX", "ClientSecret", "HashedControlPassword", "rpcauth"]) {
            expect([k, isSecretKey(k)]).toEqual([k, true]);
        }
        for (const k of ["SEEDNODE", "addseednode", "BITCOIN_NETWORK", "rpcuser", "TOR_PROXY", "PUBKEY"]) {
            expect([k, isSecretKey(k)]).toEqual([k, false]);
        }
    });

    it("finds flags and config settings by key, never returning values", () => {
        expect(secretFlags(["-rpcpassword=x", "--rpcauth", "u:s$h", "--wallet-seed", "/run/secrets/s", "-printtoconsole"])).toEqual(["rpcpassword", "rpcauth"]);
        expect(secretSettings("a=1\n  rpcpassword = 'x'\n; password=x\nSECRET: y\nexport API_KEY=z\n")).toEqual([
            { line: 2, key: "rpcpassword" },
            { line: 4, key: "SECRET" },
            { line: 5, key: "API_KEY" },
        ]);
        expect(decodeConfigData(Buffer.from("rpcpassword=x").toString("base64"))).toBe("rpcpassword=x");
        expect(decodeConfigData("not base64!")).toBe("not base64!");
    });
});

describe("LXD proxy addresses", () => {
    it("expands ports, lists and ranges", () => {
        expect(parseProxyAddress("tcp:0.0.0.0:8332").ports).toEqual([8332]);
        expect(parseProxyAddress("tcp:[::]:80,443").ports).toEqual([80, 443]);
        expect(parseProxyAddress("tcp:127.0.0.1:8000-8002").ports).toEqual([8000, 8001, 8002]);
        expect(parseProxyAddress("unix:/run/docker.sock")).toEqual({ proto: "unix", target: "/run/docker.sock", ports: [] });
    });
});
