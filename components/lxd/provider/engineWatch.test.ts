import * as net from "node:net";
import { alive, engineAddressOf, watchEngine } from "./engineWatch";

describe("watching the engine from the LXD provider", () => {
    it("finds the engine's address after the flags the engine may pass", () => {
        expect(engineAddressOf(["127.0.0.1:4000"])).toBe("127.0.0.1:4000");
        expect(engineAddressOf(["--logtostderr", "-v=9", "--tracing", "http://t:1", "127.0.0.1:4001"])).toBe("127.0.0.1:4001");
        expect(engineAddressOf(["--tracing", "http://t:1"])).toBeUndefined();
        expect(engineAddressOf([])).toBeUndefined();
    });

    it("calls gone once, only after the engine's port stops accepting", async () => {
        const server = net.createServer((c) => c.destroy());
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
        expect(await alive(address, 500)).toBe(true);
        let gone = 0;
        const stop = watchEngine(address, () => gone++, 20, 3);
        try {
            await new Promise((r) => setTimeout(r, 200));
            expect(gone).toBe(0);
            await new Promise<void>((r) => server.close(() => r()));
            const deadline = Date.now() + 2000;
            while (gone === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
            expect(gone).toBe(1);
            await new Promise((r) => setTimeout(r, 100));
            expect(gone).toBe(1);
            expect(await alive(address, 500)).toBe(false);
        } finally {
            stop();
        }
    });

    it("watches nothing without an address (a provider started by hand)", () => {
        expect(watchEngine(undefined, () => {
            throw new Error("never");
        })).toBeInstanceOf(Function);
    });
});
