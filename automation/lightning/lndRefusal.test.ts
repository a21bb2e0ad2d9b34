import { dockerSocketDir, lndStartError } from "./lndRefusal";

describe("lnd's refusal during a deploy", () => {
    it("finds bcm-lnd-start's one-line error among lnd's log lines", () => {
        const line = "bcm-lnd-start: error: the wallet on this volume belongs to another seed (node 02ab…, expected 03cd…); fix: deploy with the Trezor (and passphrase) that made it, or move /var/lib/lnd away and start again; nothing was changed";
        expect(lndStartError(`2026-12-06 lnd starting\n  ${line}\nother`)).toBe(line);
        expect(lndStartError("lnd: error: something else\nbcm-lnd-start: creating the wallet")).toBeUndefined();
    });

    it("looks for the gateway's socket where the deploy puts it", () => {
        expect(dockerSocketDir({ "bcm:dockerSocketDir": "/x/sock" }, "c1", "/h")).toBe("/x/sock");
        expect(dockerSocketDir({}, "c1", "/h")).toBe("/h/sockets/c1");
    });
});
