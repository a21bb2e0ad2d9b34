import { parseJoinTokens } from "./swarmScripts";

describe("swarm join tokens", () => {
    const worker = "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx";
    const manager = "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-7p73s1dx5in4tatdymyhg9hu2";

    it("reads the worker token, then the manager token", () => {
        expect(parseJoinTokens(`${worker}\n${manager}\n`)).toEqual({ worker, manager });
    });

    it("fails on anything else without echoing it (tokens are secrets)", () => {
        for (const bad of ["", worker, `${worker}\nError: not a manager`, `x\ny`]) {
            let message = "";
            try {
                parseJoinTokens(bad);
            } catch (e) {
                message = (e as Error).message;
            }
            expect(message).toMatch(/no pair of join tokens/);
            expect(message).not.toContain("SWMTKN");
        }
    });
});
