import { gateFailures, servicesShort } from "./healthGate";
import { describeRollback } from "./hooks";

describe("the health gate after an update", () => {
    it("names the services short of replicas", () => {
        expect(servicesShort("tor 1/1\nbtcd-regtest 0/1\nregistry-mirror 0/0\nkafka-1 1/1 (max 1 per node)\nlnd-regtest 2/3\n")).toEqual(["btcd-regtest 0/1", "lnd-regtest 2/3"]);
    });

    it("answers for the services' checks, not for disks, backups or a Tor that is offline by setting", () => {
        const v = (check: string, level: "OK" | "FAIL", reason = "r") => ({ tier: "t", check, level, reason });
        expect(gateFailures([v("volume default/x", "FAIL"), v("pool local/default", "FAIL"), v("backup", "FAIL"), v("tor", "FAIL", "DisableNetwork 1 (…)"), v("node btcd", "OK")])).toEqual([]);
        expect(gateFailures([v("tor", "FAIL", "bootstrapped 5%"), v("lnd lnd-regtest", "FAIL")]).map((x) => x.check)).toEqual(["tor", "lnd lnd-regtest"]);
    });

    it("says what a rollback restored, deleted and could not restore", () => {
        expect(describeRollback("bcm-pre-up-20261206T181500Z", { restored: ["container bcm-gateway-01", "volume default/v"], deleted: ["container bcm-x-01"], problems: [] })).toBe(
            "rolled back to snapshot bcm-pre-up-20261206T181500Z: restored 2 container(s) and volume(s) and the stack's previous state; deleted what the update made (container bcm-x-01)",
        );
        expect(describeRollback("s", { restored: [], deleted: [], problems: ["instance bcm-gateway-01: not found"] })).toMatch(/NOT restored: instance bcm-gateway-01: not found$/);
    });
});
