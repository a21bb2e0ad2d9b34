// The contract, checked from both sides: services/lnd/testdata/vectors.json is what lnd's own
// code computes (go test ./internal/vectors); here every vector is recomputed with the
// TypeScript the controller uses (device/lndSecret.ts, lndIdentity.ts, lightning.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import { bytesToHex } from "../../device/bytes";
import { deriveLndSecrets } from "../../device/lndSecret";
import { Chain, chains } from "./chains";
import { lndIdentityOf, lndWalletFile } from "./lightning";
import { lndIdentity } from "./lndIdentity";

interface Vector {
    secret: string;
    entropy: string;
    salt: string;
    password: string;
    macaroonRootKey: string;
    birthday: string;
    chains: Record<Chain, { nodePubkey: string; firstAddress: string }>;
}

const file = path.join(__dirname, "..", "..", "services", "lnd", "testdata", "vectors.json");
const vectors = (JSON.parse(fs.readFileSync(file, "utf8")) as { vectors: Vector[] }).vectors;

describe("services/lnd/testdata/vectors.json from the TypeScript side", () => {
    it("holds several secrets, each for every chain", () => {
        expect(vectors.length).toBeGreaterThanOrEqual(4);
        for (const v of vectors) expect(Object.keys(v.chains).sort()).toEqual([...chains].sort());
    });

    it.each(vectors.map((v) => [v.secret, v] as const))("secret %s: HKDF values, wallet file, node key and first address", (secret, v) => {
        const d = deriveLndSecrets(Buffer.from(secret, "hex"));
        expect({ entropy: bytesToHex(d.entropy), salt: bytesToHex(d.aezeedSalt), password: d.walletPassword, macaroonRootKey: bytesToHex(d.macaroonRootKey) }).toEqual({
            entropy: v.entropy,
            salt: v.salt,
            password: v.password,
            macaroonRootKey: v.macaroonRootKey,
        });
        expect(JSON.parse(lndWalletFile(secret, v.birthday))).toEqual({ entropy: v.entropy, salt: v.salt, birthday: v.birthday, password: v.password, macaroonRootKey: v.macaroonRootKey });
        for (const chain of chains) {
            expect({ chain, ...lndIdentity(Buffer.from(v.entropy, "hex"), chain) }).toEqual({ chain, ...v.chains[chain] });
            expect({ chain, ...lndIdentityOf(secret, chain) }).toEqual({ chain, ...v.chains[chain] });
        }
    });
});
