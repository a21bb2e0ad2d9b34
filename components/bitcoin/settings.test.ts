import fc from "fast-check";
import { birthdayProblem, readBitcoinSettings } from "./settings";

describe("bcm:bitcoin", () => {
    it("takes the Lightning birthday as a date no later than today, naming the fix otherwise", () => {
        const read = (lndBirthday: unknown, today = "2026-12-06") => {
            const problems: string[] = [];
            return { settings: readBitcoinSettings({ lndBirthday }, "signet", problems, today), problems };
        };
        expect(read("2026-12-01")).toEqual({ settings: { implementation: "btcd", keepChainData: true, lndBirthday: "2026-12-01" }, problems: [] });
        expect(read("2026-12-06").problems).toEqual([]);
        expect(read("2026-12-07").problems).toEqual([
            "bcm:bitcoin.lndBirthday: 2026-12-07 is in the future (today is 2026-12-06); set bcm:bitcoin.lndBirthday to the day the wallet was first deployed (YYYY-MM-DD), or leave it out before the first deploy",
        ]);
        expect(read("2026-02-30").problems[0]).toMatch(/^bcm:bitcoin\.lndBirthday: "2026-02-30" is not a date; /);
        expect(read("01/12/2026").problems[0]).toMatch(/is not a date/);
        expect(read(20261201).problems[0]).toMatch(/is not a date/);
        expect(read("2008-12-31").problems[0]).toMatch(/before Bitcoin's genesis block \(2009-01-03\)/);
        // Left out before the first deploy: nothing is invented here (the CLI writes today's date back).
        expect(readBitcoinSettings(undefined, "regtest", [])).toEqual({ implementation: "btcd", keepChainData: false });
    });

    it("accepts exactly the real days between genesis and today", () => {
        const day = fc.date({ min: new Date("2009-01-03T00:00:00Z"), max: new Date("2026-12-06T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
        fc.assert(fc.property(day, (d) => birthdayProblem(d, "2026-12-06") === undefined));
        fc.assert(fc.property(fc.string(), (s) => !/^\d{4}-\d{2}-\d{2}$/.test(s) ? birthdayProblem(s, "2026-12-06") !== undefined : true));
    });
});
