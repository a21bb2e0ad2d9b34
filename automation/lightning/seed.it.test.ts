import * as fs from "node:fs";
import * as path from "node:path";
import { seedWords } from "./seed";

// bcm-lnd-seed from the lnd image on this machine's dockerd, the way `bcm lightning seed` runs
// it (secret on stdin, no network): the words of every vector of services/lnd/testdata.
const vectors = (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "services", "lnd", "testdata", "vectors.json"), "utf8")) as {
    vectors: { secret: string; birthday: string; birthdayDays: number; words: string[] }[];
}).vectors;

describe("seedWords: bcm-lnd-seed in the lnd image", () => {
    it.each(vectors.map((v) => [v.secret.slice(0, 8), v] as const))("gives the vector's 24 words and day count (secret %s…)", async (_s, v) => {
        expect(await seedWords(Buffer.from(v.secret, "hex"), v.birthday)).toEqual({ words: v.words, birthdayDays: v.birthdayDays });
    });

    it("names the failure when bcm-lnd-seed refuses its input", async () => {
        await expect(seedWords(new Uint8Array(32), "2026-02-30")).rejects.toThrow(/^bcm-lnd-seed failed: /);
    });
});
