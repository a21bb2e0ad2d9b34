import fc from "fast-check";
import { archiveEntry, archiveFile, backupDirName, Manifest, parseManifest, serializeManifest } from "./manifest";
import { backupPlan, tarCommand, untarCommand } from "./plan";
import { backedUpOnions } from "./restore";

const entry = archiveEntry("gateway", ["state"], Buffer.from("plain"), Buffer.from("encrypted"));
const manifest: Manifest = { format: "bcm-backup/1", cluster: "c1", chain: "regtest", created: "2026-12-06T18:00:00.000Z", recipient: "AB".repeat(20), archives: [entry] };

describe("the manifest", () => {
    it("reads back what it wrote (any sizes and sums)", () => {
        fc.assert(
            fc.property(fc.uint8Array(), fc.uint8Array(), fc.constantFrom("gateway", "bitcoin", "kafka"), (plain, encrypted, tier) => {
                const m = { ...manifest, archives: [archiveEntry(tier, ["x"], plain, encrypted)] };
                expect(parseManifest(serializeManifest(m), "manifest.json")).toEqual(m);
            }),
        );
    });

    it("names what is wrong with a manifest in one line", () => {
        expect(() => parseManifest("{", "m.json")).toThrow("m.json: not JSON; this is not a BCM backup's manifest");
        expect(() => parseManifest(JSON.stringify({ ...manifest, format: "x" }), "m.json")).toThrow('m.json: format "x" is not bcm-backup/1');
        expect(() => parseManifest(JSON.stringify({ ...manifest, archives: [] }), "m.json")).toThrow("m.json: lists no archives");
        expect(() => parseManifest(JSON.stringify({ ...manifest, archives: [{ ...entry, file: "../x" }] }), "m.json")).toThrow('archive entry "gateway" is malformed');
        expect(() => archiveFile("../etc")).toThrow(/not a tier name/);
    });

    it("names a backup's directory after the cluster and the time, sortable and without colons", () => {
        expect(backupDirName("c1", new Date("2026-12-06T18:01:02.345Z"))).toBe("c1-2026-12-06T180102Z");
    });
});

describe("the backup plan: what each tier gives", () => {
    const dc = {
        chain: "regtest",
        dockerHost: "unix:///x.sock",
        containers: [{ name: "bcm-gateway-01" }, { name: "bcm-kafka-01" }, { name: "bcm-bitcoin-01" }],
        workloads: { kafka: { topics: [] }, bitcoin: { lnd: "lnd-regtest", channelBackups: "lnd-backup-regtest", node: "btcd-regtest" } },
    };

    it("takes lnd's directory and the channel backups from the bitcoin tier's first container, lnd and its backup service paused", () => {
        const plan = backupPlan("c1", dc);
        expect(plan.containers).toEqual([
            expect.objectContaining({ tier: "bitcoin", parts: [{ instance: "bcm-bitcoin-01", dir: "/var/lib/bcm/chain-regtest", entries: ["lnd", "channel-backups"] }], pause: ["lnd-backup-regtest", "lnd-regtest"] }),
        ]);
        expect(plan.stack.tier).toBe("gateway");
        expect(plan.skipped.join("\n")).toMatch(/chain and the Electrum index/);
        expect(plan.skipped.join("\n")).toMatch(/kafka: topics' data \(not asked: --kafka/);
    });

    it("with --kafka, takes every broker's and controller's data volume, the whole tier paused (writers first, the controllers last)", () => {
        // Two containers: one KRaft controller (an odd quorum), a broker, a Connect worker, a registry and a REST proxy on each.
        const two = {
            ...dc,
            containers: [...dc.containers, { name: "bcm-kafka-02" }],
            workloads: { ...dc.workloads, bitcoin: { ...dc.workloads.bitcoin, chainBridge: "chain-bridge-regtest" }, kafka: { controllerQuorum: "1001@kafka-controller-1:9093" } },
        };
        const kafka = backupPlan("c1", two, { kafka: true }).containers.find((c) => c.tier === "kafka")!;
        expect(kafka.parts).toEqual([
            { instance: "bcm-kafka-01", dir: "/var/lib/docker/volumes", entries: ["bcm-kafka-broker-data/_data", "bcm-kafka-controller-data/_data"] },
            { instance: "bcm-kafka-02", dir: "/var/lib/docker/volumes", entries: ["bcm-kafka-broker-data/_data"] },
        ]);
        expect(kafka.pause).toEqual([
            "chain-bridge-regtest", "kafka-rest-1", "kafka-rest-2", "schema-registry-1", "schema-registry-2", "kafka-connect-1", "kafka-connect-2", "kafka-1", "kafka-2", "kafka-controller-1",
        ]);
        expect(() => backupPlan("c1", { ...dc, workloads: { kafka: { bootstrapServers: "kafka-1:9092" } } }, { kafka: true })).toThrow(/--kafka: this kafka tier's outputs name no KRaft quorum/);
    });

    it("a gateway alone gives only the stack's part; a bare cluster is refused with the fix", () => {
        expect(backupPlan("c1", { ...dc, workloads: {} }).containers).toEqual([]);
        expect(() => backupPlan("c1", undefined)).toThrow("cluster c1 runs no data center (no tiers deployed); fix: `bcm stack deploy gateway --cluster c1` first, or back up another cluster");
    });

    it("tars only plain paths, owner-only, leaving out entries not made yet", () => {
        const item = backupPlan("c1", dc).containers[0].parts[0];
        const [, , script] = tarCommand(item, "/root/.b.tar");
        expect(script).toContain("umask 077");
        expect(script).toContain('for e in lnd channel-backups; do [ -e "$e" ]');
        expect(untarCommand(item, "/root/.r.tar")[2]).toBe("set -e; cd /var/lib/bcm/chain-regtest; rm -rf lnd channel-backups; tar --numeric-owner --same-owner -xpf /root/.r.tar; rm -f /root/.r.tar");
        expect(() => tarCommand({ ...item, dir: "/x; rm -rf /" }, "/root/.b.tar")).toThrow(/not a plain path/);
    });

    it("reads the onion addresses a backed-up state exported (plain ones only)", () => {
        const d = { version: 3, deployment: { resources: [{ urn: "s", type: "pulumi:pulumi:Stack", outputs: { dataCenter: { onions: { registry: { address: "a.onion" }, x: { address: { ciphertext: "…" } } } } } }] } };
        expect(backedUpOnions(d)).toEqual({ registry: "a.onion" });
    });
});
