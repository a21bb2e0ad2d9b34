import fc from "fast-check";
import { dnsAnswer, dnsQuestion } from "./dns";

/** A query as a resolver sends it: id, RD, one question. */
function query(id: number, name: string, type = 1): Buffer {
    const labels = name.split(".").map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l, "latin1")]));
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    header[2] = 0x01;
    header.writeUInt16BE(1, 4);
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(type, 0);
    tail.writeUInt16BE(1, 2);
    return Buffer.concat([header, ...labels, Buffer.of(0), tail]);
}

describe("the test network's DNS answers", () => {
    const names = { "web.bcm.test": "10.218.0.1" };
    const label = fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/);

    it("answers a known name in any case with its address, echoing the question byte for byte", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 65535 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (id, upper) => {
                const asked = [..."web.bcm.test"].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join("");
                const q = query(id, asked);
                const a = dnsAnswer(q, names)!;
                expect(a.readUInt16BE(0)).toBe(id);
                expect(a[2] & 0x80).toBe(0x80); // a response
                expect(a[3] & 0x0f).toBe(0); // NOERROR
                expect(a.readUInt16BE(6)).toBe(1); // one answer
                expect(a.subarray(12, q.length)).toEqual(q.subarray(12)); // the question, case and all
                expect([...a.subarray(a.length - 4)].join(".")).toBe("10.218.0.1");
                expect(dnsQuestion(q)!.name).toBe(asked);
            }),
        );
    });

    it("says NXDOMAIN for names it does not know, and nothing but NOERROR for other types of one it knows", () => {
        fc.assert(
            fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), (labels) => {
                const name = labels.join(".");
                fc.pre(name.toLowerCase() !== "web.bcm.test");
                const a = dnsAnswer(query(1, name), names)!;
                expect(a[3] & 0x0f).toBe(3);
                expect(a.readUInt16BE(6)).toBe(0);
            }),
        );
        const aaaa = dnsAnswer(query(2, "web.bcm.test", 28), names)!;
        expect(aaaa[3] & 0x0f).toBe(0);
        expect(aaaa.readUInt16BE(6)).toBe(0);
    });

    it("ignores what is not a query", () => {
        fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => void dnsAnswer(Buffer.from(bytes), names)));
        const response = query(3, "web.bcm.test");
        response[2] |= 0x80;
        expect(dnsAnswer(response, names)).toBeUndefined();
        expect(dnsAnswer(query(4, "web.bcm.test").subarray(0, 20), names)).toBeUndefined();
    });
});
