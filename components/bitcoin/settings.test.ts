import { readBitcoinSettings } from "./settings";

const read = (raw: unknown, chain: "regtest" | "signet" = "regtest") => {
    const problems: string[] = [];
    return { settings: readBitcoinSettings(raw, chain, problems), problems };
};

describe("readBitcoinSettings: electrum and miningAddress", () => {
    it("runs the Electrum server by default, and not when it says false", () => {
        expect(read(undefined).settings.electrum).toBe(true);
        expect(read({ electrum: false })).toEqual({ settings: { implementation: "btcd", keepChainData: false, electrum: false }, problems: [] });
    });

    it("names the key and the fix in one line when electrum is not a boolean", () => {
        expect(read({ electrum: "yes" }).problems).toEqual([
            'bcm:bitcoin.electrum: "yes" is not true or false; true runs the Electrum server for wallets (the default), false turns it off',
        ]);
    });

    it("takes a regtest segwit v0 address to mine to, and refuses anything else with the key's name", () => {
        expect(read({ miningAddress: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080" }).settings.miningAddress).toBe("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080");
        expect(read({ miningAddress: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080" }, "signet").problems).toEqual([
            "bcm:bitcoin.miningAddress: only regtest mines on demand; remove it on signet",
        ]);
        expect(read({ miningAddress: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" }).problems[0]).toMatch(/^bcm:bitcoin\.miningAddress: "bc1q.*" is not a regtest address \(its prefix is "bc"\); give a regtest P2WPKH or P2WSH address/);
        expect(read({ miningAddress: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt081" }).problems[0]).toMatch(/is not a bech32 address/);
        expect(read({ miningAddress: 7 }).problems[0]).toMatch(/^bcm:bitcoin\.miningAddress: 7 is not an address/);
        expect(read({ electrums: true }).problems).toEqual(["bcm:bitcoin.electrums: unknown key; use implementation, image, keepChainData, electrum or miningAddress"]);
    });
});
