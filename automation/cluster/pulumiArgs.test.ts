import fc from "fast-check";
import { pulumiArguments, pulumiInvocation } from "./pulumiArgs";

describe("bcm pulumi's arguments", () => {
    const policy = { dir: "/repo/policy", config: "/home/.bcm/clusters/c.policy.json" };

    it("adds the pack and its config to up and preview (and their aliases), whatever the flags", () => {
        for (const args of [["up", "-s", "c", "--yes"], ["preview", "--stack=c"], ["--non-interactive", "update", "-s", "c"], ["pre", "-s", "c", "--diff"], ["-v", "3", "up", "--stack", "c"]]) {
            const inv = pulumiInvocation(args);
            expect(inv).toMatchObject({ stack: "c", withPolicy: true });
            expect(pulumiArguments(args, inv, policy)).toEqual([...args, "--policy-pack", policy.dir, "--policy-pack-config", policy.config]);
        }
    });

    it("leaves other commands as they are, with the stack's passphrase when one is named", () => {
        expect(pulumiInvocation(["stack", "ls"])).toEqual({ command: "stack", withPolicy: false });
        expect(pulumiInvocation(["config", "-s", "c"])).toEqual({ stack: "c", command: "config", withPolicy: false });
        expect(pulumiArguments(["refresh", "-s", "c"], pulumiInvocation(["refresh", "-s", "c"]), policy)).toEqual(["refresh", "-s", "c"]);
    });

    it("refuses an up or preview without a stack, and flags that would bypass BCM's settings", () => {
        expect(() => pulumiInvocation(["up"])).toThrow(/^pulumi up: name the cluster with -s <cluster>/);
        expect(() => pulumiInvocation(["up", "-s", "c", "--policy-pack-config", "/x"])).toThrow(/^--policy-pack-config: bcm pulumi sets/);
        expect(() => pulumiInvocation(["up", "-s", "c", "--cwd=/tmp"])).toThrow(/^--cwd: bcm pulumi runs the cluster program/);
        expect(() => pulumiInvocation(["up", "-s"])).toThrow(/^-s: give the cluster's name/);
        // A value flag unknown here cannot hide an up from the pack.
        expect(pulumiInvocation(["--some-flag", "value", "up", "-s", "c"]).withPolicy).toBe(true);
    });

    it("never runs up or preview without the pack", () => {
        const word = fc.constantFrom("up", "update", "preview", "pre", "--yes", "--diff", "-s", "c", "--stack=c", "--skip-preview", "--refresh", "-v", "9", "--", "x");
        fc.assert(
            fc.property(fc.array(word, { maxLength: 8 }), (args) => {
                let inv;
                try {
                    inv = pulumiInvocation(args);
                } catch {
                    return;
                }
                const out = pulumiArguments(args, inv, policy);
                if (inv.withPolicy) expect(out.slice(0, out.indexOf("--") < 0 ? undefined : out.indexOf("--"))).toEqual(expect.arrayContaining(["--policy-pack", policy.dir, "--policy-pack-config", policy.config]));
                else {
                    // No command word (a stack's name, the value of -s, is not one) asks to plan or deploy.
                    const head = args.slice(0, args.indexOf("--") < 0 ? undefined : args.indexOf("--"));
                    const words = head.filter((a, i) => !a.startsWith("-") && head[i - 1] !== "-s");
                    expect(words.filter((a) => ["up", "update", "preview", "pre"].includes(a))).toEqual([]);
                }
            }),
        );
    });
});
