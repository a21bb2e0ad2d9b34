import fc from "fast-check";
import { backupCheck, diskCheck, kafkaCheck, lndCheck, nodeCheck, onionCheck, torCheck } from "./checks";
import { thresholdsFrom } from "./options";
import { readTorLog } from "./torLog";
import { onionPorts } from "./torrcPorts";
import { exitStatus, formatVerdicts, worst } from "./verdict";

const now = new Date("2026-12-06T18:00:00Z");

// Tor's notice lines as `docker service logs --timestamps --raw` prints them.
const torLog = [
    "2026-12-06T17:50:00.100000000Z Dec 06 17:50:00.000 [notice] Tor 0.4.8.16 running on Linux.",
    "2026-12-06T17:50:00.200000000Z Dec 06 17:50:00.000 [notice] Bootstrapped 0% (starting): Starting",
    "2026-12-06T17:50:01.000000000Z Dec 06 17:50:01.000 [notice] Bootstrapped 45% (requesting_descriptors): Asking for relay descriptors",
    "2026-12-06T17:50:02.000000000Z Dec 06 17:50:02.000 [warn] Problem bootstrapping. Stuck at 45% (requesting_descriptors)",
    "2026-12-06T17:50:09.000000000Z Dec 06 17:50:09.000 [notice] Bootstrapped 100% (done): Done",
    "2026-12-06T17:50:09.000000000Z Dec 06 17:50:09.000 [notice] Tor has successfully opened a circuit. Looks like client functionality is working.",
].join("\n");

describe("Tor: its log, and the verdict", () => {
    it("reads the last bootstrap percent, the last circuit, when it started and its last warning", () => {
        expect(readTorLog(torLog)).toEqual({
            percent: 100,
            phase: "Done",
            lastCircuit: new Date("2026-12-06T17:50:09Z"),
            started: new Date("2026-12-06T17:50:00.100Z"),
            lastWarning: "Problem bootstrapping. Stuck at 45% (requesting_descriptors)",
        });
        expect(readTorLog("")).toEqual({});
    });

    it("OK at 100% with the last circuit's age; FAIL with DisableNetwork; WARN while it starts; FAIL when stuck", () => {
        expect(torCheck({ log: readTorLog(torLog), network: "private" }, now)).toEqual({ tier: "gateway", check: "tor", level: "OK", reason: "bootstrapped 100%, last circuit opened 10 min ago" });
        expect(torCheck({ log: readTorLog(torLog), network: "offline" }, now).level).toBe("FAIL");
        expect(torCheck({ log: readTorLog(torLog), network: "offline" }, now).reason).toMatch(/^DisableNetwork 1 \(bcm:tor network offline\)/);
        const stuck = readTorLog(torLog.split("\n").slice(0, 4).join("\n"));
        expect(torCheck({ log: stuck }, new Date("2026-12-06T17:51:00Z")).level).toBe("WARN");
        const late = torCheck({ log: stuck }, now);
        expect(late.level).toBe("FAIL");
        expect(late.reason).toBe("bootstrapped 45% (Asking for relay descriptors) since it started 10 min ago: Tor cannot bootstrap (is its network reachable?); last warning: Problem bootstrapping. Stuck at 45% (requesting_descriptors)");
        expect(torCheck({ error: "tor: no running task (Shutdown)" }, now)).toMatchObject({ level: "FAIL", reason: "tor: no running task (Shutdown)" });
    });

    it("finds each onion service's virtual port in the torrc", () => {
        const torrc = "SocksPort 0.0.0.0:9050\nHiddenServiceDir /var/lib/tor/hs-registry\nHiddenServiceVersion 3\nHiddenServicePort 80 registry:5000\nHiddenServiceDir /var/lib/tor/hs-lnd-regtest\nHiddenServicePort 9735 lnd-regtest:9735\n";
        expect(onionPorts(torrc)).toEqual({ registry: 80, "lnd-regtest": 9735 });
    });

    it("an onion service is OK only when it answered", () => {
        expect(onionCheck("lnd-regtest", { address: "x.onion", port: 9735, reachable: true, seconds: 3.21 }).reason).toBe("x.onion:9735 answered through Tor in 3.2 s");
        expect(onionCheck("lnd-regtest", { address: "x.onion", port: 9735, reachable: false, error: "timed out" })).toMatchObject({ level: "FAIL", reason: "x.onion:9735 not reachable through Tor: timed out" });
    });
});

describe("the node and lnd", () => {
    it("a synced node is OK, a syncing one WARN, a stopped one FAIL; regtest needs no peers", () => {
        expect(nodeCheck("btcd-regtest", "regtest", { blocks: 101, headers: 101, peers: 0 })).toMatchObject({ level: "OK", reason: "height 101 of 101 headers, 0 peer(s), 100.0% synced" });
        expect(nodeCheck("btcd-mainnet", "mainnet", { blocks: 101, headers: 101, peers: 0 }).level).toBe("WARN");
        expect(nodeCheck("btcd-mainnet", "mainnet", { blocks: 50, headers: 100, peers: 8 })).toMatchObject({ level: "WARN", reason: "height 50 of 100 headers, 8 peer(s), 50.0% synced: still syncing" });
        expect(nodeCheck("btcd-regtest", "regtest", { error: "btcd-regtest: no running task (Shutdown)" })).toMatchObject({ level: "FAIL", reason: "btcd-regtest: no running task (Shutdown)" });
    });

    it("never says OK for a node behind its headers (any heights)", () => {
        fc.assert(
            fc.property(fc.nat(900_000), fc.nat(900_000), fc.nat(20), (blocks, headers, peers) => {
                const v = nodeCheck("n", "mainnet", { blocks, headers, peers });
                if (blocks < headers || peers === 0) expect(v.level).not.toBe("OK");
            }),
        );
    });

    it("lnd: OK synced, WARN behind the chain or with an inactive channel, FAIL when it does not answer", () => {
        const base = { syncedToChain: true, syncedToGraph: false, height: 101, peers: 0, active: 1, inactive: 0, pending: 0 };
        expect(lndCheck("lnd-regtest", base)).toMatchObject({ level: "OK", reason: "height 101, chain synced, graph not synced (no peers), 0 peer(s), 1 active, 0 inactive, 0 pending channel(s)" });
        expect(lndCheck("lnd-regtest", { ...base, syncedToChain: false }).level).toBe("WARN");
        expect(lndCheck("lnd-regtest", { ...base, peers: 1 }).level).toBe("WARN");
        expect(lndCheck("lnd-regtest", { ...base, inactive: 1 }).level).toBe("WARN");
        expect(lndCheck("lnd-regtest", { error: "lnd-regtest: lncli exited 1: wallet locked" }).level).toBe("FAIL");
    });

    it("Kafka: FAIL with under-replicated partitions or no answer", () => {
        expect(kafkaCheck({ underReplicated: [] }).level).toBe("OK");
        expect(kafkaCheck({ underReplicated: ["Topic: e2e Partition: 0 Leader: 1 Replicas: 1,2 Isr: 1"] }).reason).toMatch(/^1 under-replicated partition\(s\): Topic: e2e/);
        expect(kafkaCheck({ error: "kafka-1: no running task" }).level).toBe("FAIL");
    });
});

describe("disks and backups", () => {
    const t = { warnPercent: 80, failPercent: 90 };
    it("judges a volume's use against its thresholds", () => {
        expect(diskCheck("bitcoin", "volume default/v", { used: 50 * 1048576, total: 100 * 1048576 }, t)).toMatchObject({ level: "OK", reason: "50 MiB of 100 MiB used (50.0%)" });
        expect(diskCheck("bitcoin", "volume default/v", { used: 85, total: 100 }, t).level).toBe("WARN");
        expect(diskCheck("bitcoin", "volume default/v", { used: 90, total: 100 }, t).level).toBe("FAIL");
        expect(diskCheck("bitcoin", "volume default/v", { error: "attached to no running container" }, t).level).toBe("FAIL");
    });

    it("the level never falls as use grows (any sizes and thresholds)", () => {
        const rank = { OK: 0, WARN: 1, FAIL: 2 };
        fc.assert(
            fc.property(fc.nat(1e9), fc.nat(1e9), fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 100 }), (a, b, total, warn, gap) => {
                const th = { warnPercent: warn, failPercent: Math.min(100, warn + gap) };
                const [lo, hi] = a <= b ? [a, b] : [b, a];
                expect(rank[diskCheck("t", "v", { used: hi, total }, th).level]).toBeGreaterThanOrEqual(rank[diskCheck("t", "v", { used: lo, total }, th).level]);
            }),
        );
    });

    it("the newest backup's age: WARN without one or past the warning, FAIL past the limit", () => {
        const b = { warnHours: 26, failHours: 168 };
        expect(backupCheck(undefined, now, b, "/b").reason).toBe("no backup in /b; make one with `bcm backup create`");
        expect(backupCheck(new Date("2026-12-06T17:00:00Z"), now, b, "/b")).toMatchObject({ level: "OK", reason: "newest backup made 60 min ago (2026-12-06T17:00:00.000Z)" });
        expect(backupCheck(new Date("2026-12-04T17:00:00Z"), now, b, "/b").level).toBe("WARN");
        expect(backupCheck(new Date("2026-11-06T17:00:00Z"), now, b, "/b").level).toBe("FAIL");
    });
});

describe("the report", () => {
    it("fails when any line fails; WARN alone exits 0", () => {
        const ok = { tier: "gateway", check: "tor", level: "OK" as const, reason: "r" };
        expect(exitStatus([ok, { ...ok, level: "WARN" }])).toBe(0);
        expect(worst([ok, { ...ok, level: "WARN" }, { ...ok, level: "FAIL" }])).toBe("FAIL");
        expect(exitStatus([ok, { ...ok, level: "FAIL" }])).toBe(1);
        expect(formatVerdicts([ok])).toEqual(["OK    gateway  tor  r"]);
    });

    it("checks the threshold flags, naming the flag", () => {
        expect(thresholdsFrom({}).volumes).toEqual({ warnPercent: 80, failPercent: 90 });
        expect(thresholdsFrom({ volumeWarn: "0.2", volumeFail: "0.5" }).volumes).toEqual({ warnPercent: 0.2, failPercent: 0.5 });
        expect(() => thresholdsFrom({ poolFail: "x" })).toThrow('--pool-fail: "x" must be a number above 0 and at most 100');
        expect(() => thresholdsFrom({ backupWarnHours: "200" })).toThrow("--backup-warn-hours: 200 is above --backup-fail-hours 168; a warning comes before a failure");
    });
});
