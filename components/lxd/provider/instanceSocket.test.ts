import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { diffInstanceSocket, instanceSocketHandler, specOf } from "./instanceSocket";
import { forwarderArgs, runningForwarder, servesSpec } from "./socketForwarder";

const urn = "urn:pulumi:s::p::lxd:index:InstanceSocket::sock";

describe("lxd:index:InstanceSocket", () => {
    it("checks its paths and that the instance is on the local daemon", async () => {
        const ok = await instanceSocketHandler.check(urn, {}, { instance: "bcm-gateway-01", path: "/root/.bcm/sockets/c/bcm-gateway-01.sock" });
        expect(ok.failures).toEqual([]);
        expect(ok.inputs).toMatchObject({ target: "/run/docker.sock", endpoint: { url: "unix:///var/lib/lxd/unix.socket" } });
        const bad = await instanceSocketHandler.check(urn, {}, {
            instance: "bcm-gateway-01", path: "relative.sock", target: "/run/../run/docker.sock", endpoint: { url: "https://10.0.0.5:8443" },
        });
        expect(bad.failures.map((f) => f.property).filter((p) => !p.startsWith("endpoint.")).sort()).toEqual(["endpoint", "path", "target"]);
        expect(bad.failures.find((f) => f.property === "endpoint")!.reason).toMatch(/must be on the local daemon \(a unix:\/\/ endpoint\), not https:\/\/10\.0\.0\.5:8443/);
    });

    it("replaces on a new path and restarts the forwarder in place for the rest", () => {
        const old = { instance: "a", path: "/s/a.sock", target: "/run/docker.sock", endpoint: { url: "unix:///var/lib/lxd/unix.socket" } };
        expect(diffInstanceSocket(old, { ...old })).toEqual({ replaces: [], updates: [], deleteBeforeReplace: false });
        expect(diffInstanceSocket(old, { ...old, path: "/s/b.sock" }).replaces).toEqual(["path"]);
        expect(diffInstanceSocket(old, { ...old, instance: "b", target: "/run/x.sock" }).updates).toEqual(["instance", "target"]);
    });

    it("runs the forwarder with the spec's arguments, and knows it by them", () => {
        const spec = specOf({ instance: "bcm-gateway-01", path: "/s/g.sock", target: "/run/docker.sock", endpoint: { url: "unix:///var/lib/lxd/unix.socket" } });
        expect(forwarderArgs(spec)).toEqual(["-listen", "/s/g.sock", "-instance", "bcm-gateway-01", "-connect", "/run/docker.sock", "-lxd", "/var/lib/lxd/unix.socket"]);
        const cmdline = ["/e/bin/bcm-docker-forward", ...forwarderArgs(spec)].join("\0") + "\0";
        expect(servesSpec(cmdline, spec)).toBe(true);
        expect(servesSpec(cmdline, { ...spec, instance: "other" })).toBe(false);
        expect(servesSpec(["/bin/sleep", ...forwarderArgs(spec)].join("\0"), spec)).toBe(false);
    });

    it("finds a live forwarder only through its pid file and its command line", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-fwd-"));
        try {
            const spec = { path: path.join(dir, "g.sock"), instance: "g", target: "/run/docker.sock", lxdSocket: "/var/lib/lxd/unix.socket" };
            const proc = path.join(dir, "proc");
            fs.mkdirSync(path.join(proc, "321"), { recursive: true });
            fs.writeFileSync(path.join(proc, "321", "stat"), "321 (bcm-docker-forw) S 1 321");
            fs.writeFileSync(path.join(proc, "321", "cmdline"), ["bcm-docker-forward", ...forwarderArgs(spec)].join("\0") + "\0");
            expect(runningForwarder(spec, proc)).toBeUndefined(); // no pid file
            fs.writeFileSync(`${spec.path}.pid`, "321\n");
            expect(runningForwarder(spec, proc)).toBe(321);
            fs.writeFileSync(path.join(proc, "321", "stat"), "321 (bcm-docker-forw) Z 1 321");
            expect(runningForwarder(spec, proc)).toBeUndefined(); // a zombie serves nothing
            fs.writeFileSync(`${spec.path}.pid`, "999\n");
            expect(runningForwarder(spec, proc)).toBeUndefined();
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
