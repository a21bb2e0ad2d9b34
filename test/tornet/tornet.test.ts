import { assertPrivate } from "./tornet";

describe("the test network refuses any torrc that could reach the public Tor network", () => {
    const ours = ["DirAuthority a orport=1 no-v2 v3ident=" + "A".repeat(40) + " 10.0.0.1:2 " + "B".repeat(40)];
    const privateTorrc = ["DataDirectory /d", "TestingTorNetwork 1", "UseDefaultFallbackDirs 0", ...ours, ""].join("\n");

    it("accepts a test-network torrc with exactly our authorities, and an offline one", () => {
        expect(() => assertPrivate(privateTorrc, ours)).not.toThrow();
        expect(() => assertPrivate("DataDirectory /d\nDisableNetwork 1\n", [])).not.toThrow();
    });

    it("refuses the rest, naming what is missing", () => {
        expect(() => assertPrivate("DataDirectory /d\n", ours)).toThrow(/no `TestingTorNetwork 1`; no `UseDefaultFallbackDirs 0`/);
        expect(() => assertPrivate(privateTorrc.replace("UseDefaultFallbackDirs 0\n", ""), ours)).toThrow(/UseDefaultFallbackDirs/);
        expect(() => assertPrivate(privateTorrc, [])).toThrow(/no DirAuthority lines of our own/);
        expect(() => assertPrivate(privateTorrc + "FallbackDir 1.2.3.4:80 orport=9001 id=" + "C".repeat(40) + "\n", ours)).toThrow(/not ours: FallbackDir/);
        expect(() => assertPrivate(privateTorrc.replace(ours[0], ""), ours)).toThrow(/not every one of our DirAuthority lines/);
        expect(() => assertPrivate("DisableNetwork 1\n" + ours[0] + "\n", ours)).toThrow(/TestingTorNetwork/);
        expect(() => assertPrivate("DisableNetwork 1\nDisableNetwork 0\n", [])).toThrow(/TestingTorNetwork/);
        expect(() => assertPrivate(privateTorrc + "%include /etc/tor/torrc\n", ours)).toThrow(/includes other files/);
    });
});
