import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatSummary, summaryJson, writeClientKeys } from "./summary";

const dc = {
    chain: "regtest",
    torNetwork: "offline",
    dockerHost: "unix:///h/sockets/s/bcm-gateway-01.sock",
    socks: "10.1.1.2:9050",
    dns: "10.1.1.2:9053",
    registry: "10.1.1.2:5010",
    registryMirror: "none (Tor is offline)",
    containers: [
        { name: "bcm-gateway-01", address: "10.1.1.2" },
        { name: "bcm-kafka-01", address: "10.1.1.3" },
        { name: "bcm-bitcoin-01", address: "10.1.1.4" },
    ],
    onions: {
        registry: { address: "aaa.onion", clientAuthLines: { controller: "aaa:descriptor:x25519:KEY" } },
        "lnd-regtest": { address: "bbb.onion", clientAuthLines: {} },
    },
    workloads: {
        kafka: { bootstrapServers: "kafka-1:9092", topics: [] },
        bitcoin: { node: "btcd-regtest", lightning: { nodePubkey: "02ab" }, rpcCredentials: { user: "bcm", password: "hunter2" } },
    },
};

describe("the summary after a deploy", () => {
    it("is a table per tier with the onion services and their key files, never a credential", () => {
        const lines = formatSummary("up", dc, { registry: ["/h/onion-auth/s/registry-controller.auth_private"], "lnd-regtest": [] });
        expect(lines).toEqual([
            "up",
            "",
            "gateway   bcm-gateway-01  10.1.1.2",
            "          Tor SOCKS 10.1.1.2:9050 · Tor DNS 10.1.1.2:9053 (udp) · Tor network offline (BCM_TOR_NETWORK=public joins the Tor network)",
            "          private registry 10.1.1.2:5010/v2/ · Docker Hub mirror none (Tor is offline)",
            "          Docker API: DOCKER_HOST=unix:///h/sockets/s/bcm-gateway-01.sock docker service ls",
            "kafka     bcm-kafka-01  10.1.1.3",
            "          bootstrapServers: kafka-1:9092",
            "          topics: none",
            "bitcoin   bcm-bitcoin-01  10.1.1.4",
            "          node: btcd-regtest",
            "          lightning.nodePubkey: 02ab",
            "          rpcCredentials: secret (stack output dataCenter.workloads.bitcoin.rpcCredentials)",
            "",
            "onion services",
            "  registry     aaa.onion  client key: /h/onion-auth/s/registry-controller.auth_private",
            "  lnd-regtest  bbb.onion  public",
        ]);
        expect(lines.join("\n")).not.toContain("hunter2");
        const json = summaryJson(dc, {});
        expect(json).not.toContain("hunter2");
        expect(json).not.toContain("x25519:KEY");
        expect(JSON.parse(json).onions.registry).toEqual({ address: "aaa.onion", clientKeyFiles: [] });
    });

    it("writes each client key owner-only where a Tor client's ClientOnionAuthDir reads it", () => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-sum-"));
        const files = writeClientKeys(home, "s", dc.onions);
        expect(files).toEqual({ registry: [path.join(home, "onion-auth", "s", "registry-controller.auth_private")], "lnd-regtest": [] });
        expect(fs.readFileSync(files.registry[0], "utf8")).toBe("aaa:descriptor:x25519:KEY\n");
        expect(fs.statSync(files.registry[0]).mode & 0o777).toBe(0o600);
        fs.rmSync(home, { recursive: true, force: true });
    });
});
