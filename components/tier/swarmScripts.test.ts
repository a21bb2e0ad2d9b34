import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseJoinTokens, swarmJoinScript } from "./swarmScripts";

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

describe("the swarm join script", () => {
    const token = "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx";

    /** Runs the script under dash with the token on stdin and stand-ins for docker and curl that record every argv, and curl's stdin. */
    function run(
        state: string,
        stdinToken: string,
        env: Record<string, string>,
        addresses = { node: "10.218.0.3", eth0: "10.218.0.3" },
        managers = "mgr1 ",
    ): { code: number; argv: string[]; body: string; stderr: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-join-"));
        const log = path.join(dir, "argv");
        const body = path.join(dir, "body");
        fs.writeFileSync(path.join(dir, "docker"), `#!/bin/sh\necho "docker $*" >>${log}\ncase "$*" in *LocalNodeState*) echo ${state} ;; *NodeAddr*) echo ${addresses.node} ;; *RemoteManagers*) echo "${managers}" ;; *NodeID*) echo node1 ;; esac\n`, { mode: 0o755 });
        // As iproute2 prints it (one line per address).
        fs.writeFileSync(path.join(dir, "ip"), `#!/bin/sh\necho "1574: eth0    inet ${addresses.eth0}/24 metric 1024 brd 10.218.0.255 scope global dynamic eth0\\       valid_lft 3306sec preferred_lft 3306sec"\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "curl"), `#!/bin/sh\necho "curl $*" >>${log}\ncat >${body}\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "systemctl"), `#!/bin/sh\necho "systemctl $*" >>${log}\n`, { mode: 0o755 });
        const r = spawnSync("sh", ["-c", swarmJoinScript], { env: { PATH: `${dir}:/usr/bin:/bin`, ...env }, input: `${stdinToken}\n`, encoding: "utf8" });
        const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
        const out = { code: r.status ?? -1, argv: read(log).split("\n").filter((l) => l !== ""), body: read(body), stderr: r.stderr };
        fs.rmSync(dir, { recursive: true });
        return out;
    }

    it("takes the token on its standard input and hands it to dockerd's API on curl's, never on a command line or in an environment", () => {
        const r = run("inactive", token, { MANAGER: "10.218.0.20:2377" });
        expect(r.code).toBe(0);
        expect(JSON.parse(r.body)).toEqual({ ListenAddr: "eth0:2377", AdvertiseAddr: "eth0", RemoteAddrs: ["10.218.0.20:2377"], JoinToken: token });
        expect(r.argv.some((a) => a.startsWith("curl ") && a.includes("--unix-socket /var/run/docker.sock") && a.includes("http://localhost/swarm/join"))).toBe(true);
        expect(r.argv.filter((a) => a.includes("SWMTKN"))).toEqual([]);
    });

    it("does nothing when the node is in a swarm already, and refuses a token that would break the JSON", () => {
        expect(run("active", token, { MANAGER: "m:2377" }).argv.filter((a) => a.startsWith("curl"))).toEqual([]);
        const bad = run("inactive", `${token}","X":"`, { MANAGER: "m:2377" });
        expect(bad.code).toBe(1);
        expect(bad.stderr).toMatch(/holds a quote/);
        expect(bad.argv.filter((a) => a.startsWith("curl"))).toEqual([]);
    });

    it("leaves and joins again when the node is in the swarm with an address its eth0 no longer has (a container made again on its docker volume)", () => {
        const moved = run("active", token, { MANAGER: "10.218.0.20:2377" }, { node: "10.218.0.3", eth0: "10.218.0.122" });
        expect(moved.code).toBe(0);
        const leave = moved.argv.indexOf("docker swarm leave --force");
        const join = moved.argv.findIndex((a) => a.startsWith("curl "));
        expect(leave).toBeGreaterThanOrEqual(0);
        expect(join).toBeGreaterThan(leave);
        const stays = run("active", token, { MANAGER: "10.218.0.20:2377" }, { node: "10.218.0.122", eth0: "10.218.0.122" });
        expect(stays.argv.filter((a) => a.includes("leave") || a.startsWith("curl"))).toEqual([]);
    });

    it("leaves a swarm whose managers do not include $MANAGER_ID (the first manager started a new one) and joins the given one; stays in the right one", () => {
        const gone = run("active", token, { MANAGER: "10.218.0.20:2377", MANAGER_ID: "mgr2" }, undefined, "mgr1 ");
        expect(gone.code).toBe(0);
        const leave = gone.argv.indexOf("docker swarm leave --force");
        expect(leave).toBeGreaterThanOrEqual(0);
        // dockerd starts afresh between leaving and joining.
        const restart = gone.argv.indexOf("systemctl restart docker");
        expect(restart).toBeGreaterThan(leave);
        expect(gone.argv.findIndex((a) => a.startsWith("curl "))).toBeGreaterThan(restart);
        expect(JSON.parse(gone.body).RemoteAddrs).toEqual(["10.218.0.20:2377"]);
        // A node that lost its manager may say "pending" rather than "active": it leaves too.
        expect(run("pending", token, { MANAGER: "m:2377", MANAGER_ID: "mgr2" }, undefined, "mgr1 ").argv).toContain("docker swarm leave --force");
        for (const managers of ["mgr2 ", "mgr1 mgr2 mgr3 "]) {
            const stays = run("active", token, { MANAGER: "10.218.0.20:2377", MANAGER_ID: "mgr2" }, undefined, managers);
            expect(stays.code).toBe(0);
            expect(stays.argv.filter((a) => a.includes("leave") || a.startsWith("curl"))).toEqual([]);
        }
        // A prefix of another ID is not that ID.
        expect(run("active", token, { MANAGER: "m:2377", MANAGER_ID: "mgr" }, undefined, "mgr1 ").argv).toContain("docker swarm leave --force");
    });
});
