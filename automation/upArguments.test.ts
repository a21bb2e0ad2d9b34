import { parseUpArguments, upUsage } from "./upArguments";

describe("npm run up's options", () => {
    it("takes --refresh, --destroy, --json and --help, and nothing else", () => {
        expect(parseUpArguments([])).toEqual({ destroy: false, refresh: false, json: false, help: false });
        expect(parseUpArguments(["--refresh"])).toMatchObject({ refresh: true, destroy: false });
        expect(parseUpArguments(["--destroy"])).toMatchObject({ destroy: true });
        expect(parseUpArguments(["-h"]).help).toBe(true);
        expect(parseUpArguments(["--json"]).json).toBe(true);
        expect(() => parseUpArguments(["--refesh"])).toThrow(/unknown option --refesh; npm run up takes --refresh, --destroy, --json or --help/);
        expect(() => parseUpArguments(["--destroy", "--refresh"])).toThrow(/do not go together/);
    });

    it("documents every option in its help text", () => {
        for (const flag of ["--refresh", "--destroy", "--json", "--help"]) expect(upUsage).toContain(flag);
    });
});
