import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeRemovedSidecar, readableSidecar, removeBrokenSidecars } from "./stateSidecars";

describe("the file backend's .attrs sidecars a killed run left broken", () => {
    it("reads a sidecar as the engine writes it, and nothing else", () => {
        expect(readableSidecar('{"user.cache_control":"","user.content_type":"application/octet-stream","md5":"AAAA"}\n')).toBe(true);
        expect(readableSidecar("")).toBe(false);
        expect(readableSidecar('{"user.content_type":"appl')).toBe(false);
        expect(readableSidecar("[]")).toBe(false);
        expect(readableSidecar("null")).toBe(false);
    });

    it("removes the empty and torn ones under .pulumi, keeps the good ones and every checkpoint", () => {
        const state = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-sidecars-"));
        try {
            const stacks = path.join(state, ".pulumi", "stacks", "bcm-cluster");
            const history = path.join(state, ".pulumi", "history", "bcm-cluster", "standalone");
            fs.mkdirSync(stacks, { recursive: true });
            fs.mkdirSync(history, { recursive: true });
            const files: Record<string, string> = {
                [path.join(stacks, "standalone.json")]: '{"version":3}',
                [path.join(stacks, "standalone.json.attrs")]: "",
                [path.join(stacks, "standalone.json.bak.attrs")]: '{"md5":"x"',
                [path.join(stacks, "other.json.attrs")]: '{"md5":"x"}',
                [path.join(history, "standalone-1.history.json.attrs")]: "",
                [path.join(state, ".pulumi", "meta.yaml.attrs")]: '{"md5":"y"}',
                [path.join(state, "outside.attrs")]: "",
            };
            for (const [f, text] of Object.entries(files)) fs.writeFileSync(f, text);
            const removed = removeBrokenSidecars(state).sort();
            expect(removed).toEqual(
                [path.join(stacks, "standalone.json.attrs"), path.join(stacks, "standalone.json.bak.attrs"), path.join(history, "standalone-1.history.json.attrs")].sort(),
            );
            for (const f of Object.keys(files)) expect(fs.existsSync(f)).toBe(!removed.includes(f));
            expect(removeBrokenSidecars(state)).toEqual([]);
            expect(describeRemovedSidecar(removed[0]!)).toMatch(/^\[bcm\] state: removed .*\.attrs, the metadata file of \S+ an interrupted run left unreadable/);
        } finally {
            fs.rmSync(state, { recursive: true, force: true });
        }
    });

    it("does nothing where there is no state yet", () => {
        expect(removeBrokenSidecars(path.join(os.tmpdir(), "bcm-no-such-state-dir"))).toEqual([]);
    });
});
