import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { firewallRules } from "./firewall";

// The gateway's firewall rules, as the first gateway container runs them at boot, in a network
// namespace of this test's own with an "eth0" towards the host: the endpoint host (the default
// route's gateway) reaches the guarded ports, any other address on the link does not, and
// unguarded ports stay open. Real iptables (nft backend), real TCP; nothing of LXD is touched.
describe("gateway firewall (real iptables in a namespace)", () => {
    const ns = `bcmfw${process.pid}`;
    const hostIf = `bcmfw${process.pid % 100000}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-fw-"));
    const inNs = (...args: string[]) => execa("ip", ["netns", "exec", ns, ...args], { stdin: "ignore" });
    const servers: ReturnType<typeof execa>[] = [];

    beforeAll(async () => {
        const sh = (cmd: string) => execa("sh", ["-c", cmd], { stdin: "ignore" });
        await sh(`ip netns add ${ns} && ip link add ${hostIf} type veth peer name eth0 netns ${ns}`);
        await sh(`ip addr add 10.250.9.1/24 dev ${hostIf} && ip addr add 10.250.9.5/24 dev ${hostIf} && ip link set ${hostIf} up`);
        await inNs("sh", "-c", "ip addr add 10.250.9.2/24 dev eth0 && ip link set eth0 up && ip link set lo up && ip route add default via 10.250.9.1");
        fs.writeFileSync(path.join(dir, "rules.sh"), firewallRules());
        await inNs("sh", path.join(dir, "rules.sh"));
        for (const port of [5010, 9050, 8080]) {
            servers.push(execa("ip", ["netns", "exec", ns, "python3", "-m", "http.server", String(port), "--bind", "10.250.9.2"], { reject: false, cwd: dir }));
        }
        for (let i = 0; i < 60; i++) {
            const ss = (await inNs("ss", "-ltn")).stdout;
            if ([5010, 9050, 8080].every((p) => ss.includes(`:${p} `))) return;
            await new Promise((r) => setTimeout(r, 500));
        }
        throw new Error("the test's servers did not start");
    }, 60_000);

    afterAll(async () => {
        for (const s of servers) s.kill();
        await execa("ip", ["link", "del", hostIf], { reject: false });
        await execa("ip", ["netns", "del", ns], { reject: false });
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const get = async (from: string, port: number) =>
        (await execa("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "4", "--interface", from, `http://10.250.9.2:${port}/`], { reject: false })).stdout;

    it("answers the endpoint host on the guarded ports", async () => {
        expect(await get("10.250.9.1", 5010)).toBe("200");
        expect(await get("10.250.9.1", 9050)).toBe("200");
    }, 30_000);

    it("drops any other address on the bridge on the guarded ports, and leaves other ports alone", async () => {
        expect(await get("10.250.9.5", 5010)).toBe("000");
        expect(await get("10.250.9.5", 9050)).toBe("000");
        expect(await get("10.250.9.5", 8080)).toBe("200");
    }, 30_000);

    it("lets a listed host in after a re-run, and is rebuilt from scratch each time", async () => {
        // The rules read /etc/bcm/gateway-allow; the test's copy reads a file of its own (the host's /etc stays untouched).
        fs.writeFileSync(path.join(dir, "allow"), "10.250.9.5\n");
        const script = firewallRules().replace("/etc/bcm/gateway-allow", path.join(dir, "allow"));
        fs.writeFileSync(path.join(dir, "rules2.sh"), script);
        await inNs("sh", path.join(dir, "rules2.sh"));
        await inNs("sh", path.join(dir, "rules2.sh"));
        expect(await get("10.250.9.5", 5010)).toBe("200");
        const chain = (await inNs("iptables", "-w", "10", "-t", "mangle", "-S", "BCM-GATEWAY")).stdout.split("\n");
        expect(chain.filter((l) => l.includes("-j DROP"))).toHaveLength(2);
        expect((await inNs("iptables", "-w", "10", "-t", "mangle", "-S", "PREROUTING")).stdout.split("\n").filter((l) => l.includes("BCM-GATEWAY"))).toHaveLength(1);
    }, 30_000);
});
