import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writePrivateFile } from "./privateFile";

describe("writePrivateFile", () => {
    it("writes 0600 whatever the umask, and narrows an existing file's mode", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-priv-"));
        const old = process.umask(0o000);
        try {
            const fresh = path.join(dir, "fresh");
            writePrivateFile(fresh, "secret");
            expect(fs.statSync(fresh).mode & 0o777).toBe(0o600);
            expect(fs.readFileSync(fresh, "utf8")).toBe("secret");
            const wide = path.join(dir, "wide");
            fs.writeFileSync(wide, "old old old", { mode: 0o644 });
            fs.chmodSync(wide, 0o644);
            writePrivateFile(wide, new Uint8Array([1, 2, 3]));
            expect(fs.statSync(wide).mode & 0o777).toBe(0o600);
            expect([...fs.readFileSync(wide)]).toEqual([1, 2, 3]);
        } finally {
            process.umask(old);
            fs.rmSync(dir, { recursive: true });
        }
    });
});
