import fc from "fast-check";
import { peerAddress, peerProblem } from "./peers";
import { birthdayProblem, readBitcoinSettings } from "./settings";

describe("bcm:bitcoin", () => {
    it("takes the Lightning birthday as a date no later than today, naming the fix otherwise", () => {
        const read = (lndBirthday: unknown, today = "2026-12-06") => {
            const problems: string[] = [];
            return { settings: readBitcoinSettings({ lndBirthday }, "signet", problems, today), problems };
        };
        expect(read("2026-12-01")).toEqual({ settings: { implementation: "btcd", keepChainData: true, electrum: true, peers: [], lndBirthday: "2026-12-01" }, problems: [] });
        expect(read("2026-12-06").problems).toEqual([]);
        expect(read("2026-12-07").problems).toEqual([
            "bcm:bitcoin.lndBirthday: 2026-12-07 is in the future (today is 2026-12-06); set bcm:bitcoin.lndBirthday to the day the wallet was first deployed (YYYY-MM-DD), or leave it out before the first deploy",
        ]);
        expect(read("2026-02-30").problems[0]).toMatch(/^bcm:bitcoin\.lndBirthday: "2026-02-30" is not a date; /);
        expect(read("01/12/2026").problems[0]).toMatch(/is not a date/);
        expect(read(20261201).problems[0]).toMatch(/is not a date/);
        expect(read("2008-12-31").problems[0]).toMatch(/before Bitcoin's genesis block \(2009-01-03\)/);
        // Left out before the first deploy: nothing is invented here (the CLI writes today's date back).
        expect(readBitcoinSettings(undefined, "regtest", [])).toEqual({ implementation: "btcd", keepChainData: false, electrum: true, peers: [] });
    });

    it("accepts exactly the real days between genesis and today", () => {
        const day = fc.date({ min: new Date("2009-01-03T00:00:00Z"), max: new Date("2026-12-06T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
        fc.assert(fc.property(day, (d) => birthdayProblem(d, "2026-12-06") === undefined));
        fc.assert(fc.property(fc.string(), (s) => !/^\d{4}-\d{2}-\d{2}$/.test(s) ? birthdayProblem(s, "2026-12-06") !== undefined : true));
    });

    it("takes peers as onion, IPv4 or DNS hosts with an optional port, the chain's P2P port by default", () => {
        const read = (peers: unknown, chain: "regtest" | "mainnet" = "regtest") => {
            const problems: string[] = [];
            return { peers: readBitcoinSettings({ peers }, chain, problems).peers, problems };
        };
        const onion = "a".repeat(56) + ".onion";
        expect(read([`${onion}:18444`, "10.0.0.7", "Node.Example.org:8333", "10.0.0.7:18444"])).toEqual({ peers: [`${onion}:18444`, "10.0.0.7:18444", "node.example.org:8333"], problems: [] });
        expect(read([onion], "mainnet").peers).toEqual([`${onion}:8333`]);
        expect(read("10.0.0.7").problems).toEqual([`bcm:bitcoin.peers: must be a list of "host[:port]" strings, e.g. ["<56 characters>.onion:8333"]`]);
        const bad = read(["x.onion", "10.0.0.7:0", 7, "300.1.1.1", "[::1]:8333", "a b"]);
        expect(bad.peers).toEqual([]);
        expect(bad.problems.map((p) => p.split(";")[0])).toEqual([
            'bcm:bitcoin.peers[0]: "x.onion" is not a peer',
            "bcm:bitcoin.peers[1]: port 0 is out of range (1-65535)",
            "bcm:bitcoin.peers[2]: 7 is not a string",
            'bcm:bitcoin.peers[3]: "300.1.1.1" is not a peer',
            'bcm:bitcoin.peers[4]: "[::1]:8333" is not a peer',
            'bcm:bitcoin.peers[5]: "a b" is not a peer',
        ]);
        for (const p of bad.problems) expect(p).toMatch(/; write each peer as "host\[:port\]"/);
        // Whatever is accepted renders as one host:port line that a config file cannot misread.
        fc.assert(fc.property(fc.string(), (s) => (peerProblem(s, 0) === undefined ? /^[a-z0-9.-]+:\d+$/.test(peerAddress(s, "regtest")) : true)));
    });
});

const readRaw = (raw: unknown, chain: "regtest" | "signet" = "regtest") => {
    const problems: string[] = [];
    return { settings: readBitcoinSettings(raw, chain, problems), problems };
};

describe("readBitcoinSettings: electrum and miningAddress", () => {
    it("runs the Electrum server by default, and not when it says false", () => {
        expect(readRaw(undefined).settings.electrum).toBe(true);
        expect(readRaw({ electrum: false })).toEqual({ settings: { implementation: "btcd", keepChainData: false, electrum: false, peers: [] }, problems: [] });
    });

    it("names the key and the fix in one line when electrum is not a boolean", () => {
        expect(readRaw({ electrum: "yes" }).problems).toEqual([
            'bcm:bitcoin.electrum: "yes" is not true or false; true runs the Electrum server for wallets (the default), false turns it off',
        ]);
    });

    it("takes a regtest segwit v0 address to mine to, and refuses anything else with the key's name", () => {
        expect(readRaw({ miningAddress: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080" }).settings.miningAddress).toBe("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080");
        expect(readRaw({ miningAddress: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080" }, "signet").problems).toEqual([
            "bcm:bitcoin.miningAddress: only regtest mines on demand; remove it on signet",
        ]);
        expect(readRaw({ miningAddress: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" }).problems[0]).toMatch(/^bcm:bitcoin\.miningAddress: "bc1q.*" is not a regtest address \(its prefix is "bc"\); give a regtest P2WPKH or P2WSH address/);
        expect(readRaw({ miningAddress: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt081" }).problems[0]).toMatch(/is not a bech32 address/);
        expect(readRaw({ miningAddress: 7 }).problems[0]).toMatch(/^bcm:bitcoin\.miningAddress: 7 is not an address/);
        expect(readRaw({ electrums: true }).problems).toEqual(["bcm:bitcoin.electrums: unknown key; use implementation, image, keepChainData, lndBirthday, electrum, miningAddress, prune or peers"]);
    });
});
