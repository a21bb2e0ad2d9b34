import { LxdClient } from "./client";
import { exec } from "./exec";
import { FakeLxd, FakeRoute, envelope } from "../../testing/fakeLxd";

describe("exec in record-output mode", () => {
    let fake: FakeLxd;
    let route: FakeRoute = () => undefined;
    beforeAll(async () => {
        fake = await FakeLxd.start((req) => route(req));
    });
    afterAll(() => fake.stop());

    it("takes the exit code from metadata.return, reads both logs from metadata.output and deletes them", async () => {
        const logs = "/1.0/instances/c1/logs/exec_op9";
        route = (r) => {
            if (r.method === "POST") return envelope.async("op9");
            if (r.path.startsWith("/1.0/operations/op9/wait")) {
                return envelope.operation("op9", 200, { return: 3, output: { "1": `${logs}.stdout`, "2": `${logs}.stderr` } });
            }
            if (r.method === "GET" && r.path === `${logs}.stdout`) return { body: "out\n" };
            if (r.method === "GET" && r.path === `${logs}.stderr`) return { body: "err\n" };
            if (r.method === "DELETE") return envelope.sync({});
            return undefined;
        };
        const result = await exec(new LxdClient({ url: fake.url }), "c1", ["sh", "-c", "exit 3"], { environment: { A: "1" } });
        expect(result).toEqual({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
        const post = JSON.parse(fake.requests[0].body.toString());
        expect(post).toMatchObject({
            command: ["sh", "-c", "exit 3"],
            environment: { A: "1" },
            interactive: false,
            "wait-for-websocket": false,
            "record-output": true,
        });
        expect(fake.seen().filter((s) => s.startsWith("DELETE")).sort()).toEqual([
            `DELETE ${logs}.stderr`,
            `DELETE ${logs}.stdout`,
        ]);
    });

    it("fails clearly when the command cannot start (the operation fails)", async () => {
        route = (r) =>
            r.method === "POST" ? envelope.async("op8") : envelope.operation("op8", 400, {}, "Command not found");
        await expect(exec(new LxdClient({ url: fake.url }), "c1", ["nope"])).rejects.toThrow(
            /exec of "nope" in instance c1 on unix:.*: Command not found \(400\)/,
        );
    });
});
