import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clientAuthorization, onionServiceKey } from "../../components/tor/onion";
import { CliError } from "../cli/errors";
import { describeConnection, electrumConnection } from "./electrum";
import { describeElectrumStatus, statusCommand } from "./electrumStatus";
import { writeClientAuth } from "./onionAuth";

const onion = onionServiceKey(new Uint8Array(32).fill(3)).address;
const auth = clientAuthorization(onion, new Uint8Array(32).fill(9));
const dataCenter = (electrum: unknown, line = auth.clientLine) => ({
    chain: "regtest",
    torNetwork: "private",
    workloads: { bitcoin: { node: "btcd-regtest", electrum } },
    onions: { "electrum-regtest": { address: onion, clientAuthLines: { controller: line } } },
});
const failure = (f: () => unknown) => {
    try {
        f();
    } catch (err) {
        expect(err).toBeInstanceOf(CliError);
        return (err as Error).message;
    }
    throw new Error("no error");
};

describe("electrumConnection", () => {
    it("gives the onion address, the port and the controller's line from the stack's outputs", () => {
        const c = electrumConnection("c1", dataCenter({ service: "electrum-regtest", address: "electrum-regtest:50001" }), "/home/x/.bcm/onion-auth/c1");
        expect(c).toEqual({
            cluster: "c1",
            chain: "regtest",
            service: "electrum-regtest",
            onion,
            port: 50001,
            url: `tcp://${onion}:50001`,
            clientAuthLine: auth.clientLine,
            clientKey: auth.clientLine.split(":").pop(),
            authFile: "/home/x/.bcm/onion-auth/c1/electrum-regtest-controller.auth_private",
            torNetwork: "private",
        });
        expect(c.clientAuthLine).toBe(`${onion.replace(".onion", "")}:descriptor:x25519:${c.clientKey}`);
        const printed = describeConnection(c).join("\n");
        expect(printed).toContain(`  client key:     ${auth.clientLine}\n  written to:     /home/x/.bcm/onion-auth/c1/electrum-regtest-controller.auth_private`);
        expect(printed).toContain(`--server ${onion}:50001:t --proxy socks5:127.0.0.1:9050`);
        expect(printed).not.toContain("offline");
        expect(describeConnection({ ...c, torNetwork: "offline" }).pop()).toMatch(/^Note: the gateway's Tor is offline on cluster c1/);
    });

    it("says in one line when the cluster has no bitcoin tier, runs no server, or has no key for the controller", () => {
        expect(failure(() => electrumConnection("c1", undefined, "/d"))).toBe("cluster c1 has no bitcoin tier; fix: `bcm stack deploy bitcoin --cluster c1` (the Electrum server runs on it)");
        expect(failure(() => electrumConnection("c1", { workloads: { kafka: {} } }, "/d"))).toMatch(/^cluster c1 has no bitcoin tier/);
        expect(failure(() => electrumConnection("c1", dataCenter("off"), "/d"))).toBe(
            'cluster c1 runs no Electrum server (bcm:bitcoin.electrum is false); fix: remove "electrum": false from the cluster\'s bcm:bitcoin setting and deploy again with `bcm stack deploy bitcoin --cluster c1`',
        );
        const noOnion = { ...dataCenter({ service: "electrum-regtest", address: "electrum-regtest:50001" }), onions: {} };
        expect(failure(() => electrumConnection("c1", noOnion, "/d"))).toMatch(/^cluster c1 has no onion service electrum-regtest with a key for the controller; fix:/);
        const other = clientAuthorization(onionServiceKey(new Uint8Array(32).fill(4)).address).clientLine;
        expect(failure(() => electrumConnection("c1", dataCenter({ service: "electrum-regtest", address: "electrum-regtest:50001" }, other), "/d"))).toMatch(/the client key of electrum-regtest is not for/);
        for (const message of [undefined, "off"].map((e) => failure(() => electrumConnection("c1", e === undefined ? {} : dataCenter(e), "/d")))) expect(message).not.toContain("\n");
    });
});

describe("writeClientAuth", () => {
    it("writes one owner-only line per client, as Tor's ClientOnionAuthDir reads it", () => {
        const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bcm-auth-")), "onion-auth", "c1");
        const [file] = writeClientAuth(dir, "electrum-regtest", { controller: auth.clientLine });
        expect(file).toBe(path.join(dir, "electrum-regtest-controller.auth_private"));
        expect(fs.readFileSync(file, "utf8")).toBe(auth.clientLine + "\n");
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
        fs.chmodSync(file, 0o644);
        writeClientAuth(dir, "electrum-regtest", { controller: auth.clientLine });
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        fs.rmSync(path.dirname(path.dirname(dir)), { recursive: true, force: true });
    });
});

describe("describeElectrumStatus", () => {
    const status = { state: "indexing", height: 36, node_height: 105, percent: 34.2, blocks_per_sec: 4.5, txs_per_sec: 4.5, connections: 0 };

    it("says how far indexing is (height, percent, rate), or that it follows the node", () => {
        expect(describeElectrumStatus(status)).toBe("indexing 34.2% (height 36 of 105, 4.5 blocks/s, 4.5 txs/s)");
        expect(describeElectrumStatus({ ...status, height: -1, percent: 0 })).toBe("indexing 0.0% (height 0 of 105, 4.5 blocks/s, 4.5 txs/s)");
        expect(describeElectrumStatus({ ...status, state: "synced", height: 105, percent: 100, connections: 2 })).toBe("synced at height 105 (node 105), 2 connection(s)");
    });

    it("adds what went wrong, and a stale status file", () => {
        expect(describeElectrumStatus({ ...status, last_error: "connection refused", rebuilt: "truncated" })).toBe(
            "indexing 34.2% (height 36 of 105, 4.5 blocks/s, 4.5 txs/s); rebuilt: truncated; last error: connection refused",
        );
        expect(describeElectrumStatus({ ...status, updated: "2026-01-01T00:00:00Z" }, 3)).toMatch(/; status last written 2026-01-01T00:00:00Z: is the server still running\?$/);
    });

    it("runs bcm-electrum status in the service's task only for a swarm service name", () => {
        expect(statusCommand("electrum-regtest")[2]).toContain('label=com.docker.swarm.service.name=electrum-regtest | head -n 1)"');
        expect(statusCommand("electrum-regtest")[2]).toMatch(/exec docker exec "\$t" bcm-electrum status$/);
        expect(() => statusCommand("x; rm -rf /")).toThrow(/not a swarm service name/);
    });
});
