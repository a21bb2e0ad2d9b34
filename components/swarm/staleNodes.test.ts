import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { staleNodesScript } from "./staleNodes";

// The cleanup's shell script, run by the real /bin/sh against a stand-in `docker` that lists the
// nodes of $NODES (the next line of the file on each call: a manager's view over time) and
// records every other call, and a `sleep` that returns at once.
const stub = `#!/bin/sh
case "$*" in
  "node ls "*) n=$(cat "$COUNT"); echo $((n + 1)) > "$COUNT"; f="$NODES.$n"; [ -f "$f" ] || f=$(ls "$NODES".* | sort -t. -k2 -n | tail -1); cat "$f" ;;
  "node rm "*) echo "DOCKER_HOST=$DOCKER_HOST $*" >> "$LOG"; [ -z "\${REFUSE:-}" ] || { echo "$REFUSE" >&2; exit 1; } ;;
  *) echo "DOCKER_HOST=$DOCKER_HOST $*" >> "$LOG" ;;
esac
`;

async function cleanup(views: string[][], env: Record<string, string> = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-stale-"));
    try {
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "docker"), stub, { mode: 0o755 });
        fs.writeFileSync(path.join(bin, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
        views.forEach((v, i) => fs.writeFileSync(path.join(dir, `nodes.${i}`), v.map((l) => `${l}\n`).join("")));
        fs.writeFileSync(path.join(dir, "count"), "0");
        fs.writeFileSync(path.join(dir, "calls"), "");
        const result = await execa("/bin/sh", ["-c", staleNodesScript], {
            env: { PATH: `${bin}:/usr/bin:/bin`, TARGET_DOCKER: "unix:///sock", NODES: path.join(dir, "nodes"), COUNT: path.join(dir, "count"), LOG: path.join(dir, "calls"), ...env },
            extendEnv: false,
            reject: false,
        });
        const calls = fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n").filter(Boolean);
        return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, calls, lists: Number(fs.readFileSync(path.join(dir, "count"), "utf8")) };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const healthy = ["g1 bcm-gateway-01 Ready Leader", "g2 bcm-gateway-02 Ready Reachable", "k1 bcm-kafka-01 Ready ", "a1 bcm-apps-01 Ready "];

describe("the cleanup of swarm entries a made-again container left", () => {
    it("removes nothing from a swarm whose nodes each have one entry, a stopped one included", async () => {
        const r = await cleanup([[...healthy.slice(0, 3), "a1 bcm-apps-01 Down "]]);
        expect(r).toMatchObject({ exitCode: 0, stdout: "", calls: [], lists: 1 });
    });

    it("removes the Down entry of a worker that joined again, against the manager's dockerd", async () => {
        const r = await cleanup([[...healthy, "k0 bcm-kafka-01 Down "]]);
        expect(r.exitCode).toBe(0);
        expect(r.calls).toEqual(["DOCKER_HOST=unix:///sock node rm --force k0"]);
        expect(r.stdout).toBe("removed the stale swarm entry k0 of bcm-kafka-01");
    });

    it("demotes a manager's old entry before removing it", async () => {
        const r = await cleanup([[...healthy, "g0 bcm-gateway-02 Down Unreachable"]]);
        expect(r.calls).toEqual(["DOCKER_HOST=unix:///sock node demote g0", "DOCKER_HOST=unix:///sock node rm --force g0"]);
    });

    it("waits while the manager still sees the old node alive, then removes it once it is Down", async () => {
        const r = await cleanup([[...healthy, "k0 bcm-kafka-01 Ready "], [...healthy, "k0 bcm-kafka-01 Unknown "], [...healthy, "k0 bcm-kafka-01 Down "]]);
        expect(r.lists).toBe(3);
        expect(r.calls).toEqual(["DOCKER_HOST=unix:///sock node rm --force k0"]);
    });

    it("removes nothing, and says so, when a hostname keeps two live entries", async () => {
        const r = await cleanup([[...healthy, "k0 bcm-kafka-01 Ready "]]);
        expect(r).toMatchObject({ exitCode: 0, calls: [], lists: 30 });
        expect(r.stderr).toContain("nothing removed");
    });

    it("fails the run (to be retried by the next up) when Docker refuses a removal", async () => {
        const r = await cleanup([[...healthy, "k0 bcm-kafka-01 Down ", "a0 bcm-apps-01 Down "]], { REFUSE: "Error response from daemon: node k0 is not down" });
        expect(r.exitCode).not.toBe(0);
        expect(r.stderr).toContain("node k0 is not down");
        expect(r.calls).toEqual(["DOCKER_HOST=unix:///sock node rm --force k0"]);
    });
});
