import * as dgram from "node:dgram";

/** The question of a DNS query (RFC 1035 §4.1): the name as asked, its type and class, and where it ends. */
export function dnsQuestion(query: Buffer): { name: string; type: number; klass: number; end: number } | undefined {
    // A query (QR 0) with exactly one question.
    if (query.length < 12 || (query[2] & 0x80) !== 0 || query.readUInt16BE(4) !== 1) return undefined;
    let offset = 12;
    const labels: string[] = [];
    for (;;) {
        if (offset >= query.length) return undefined;
        const length = query[offset];
        if (length === 0) break;
        if (length > 63 || offset + 1 + length > query.length) return undefined;
        labels.push(query.toString("latin1", offset + 1, offset + 1 + length));
        offset += 1 + length;
    }
    offset += 1;
    if (offset + 4 > query.length) return undefined;
    return { name: labels.join("."), type: query.readUInt16BE(offset), klass: query.readUInt16BE(offset + 2), end: offset + 4 };
}

/**
 * The answer to one DNS query from a fixed table of A records: the question echoed byte for
 * byte (exit relays randomise the case of the names they ask, "0x20" encoding, and drop an
 * answer that does not echo it), an A record for a known name, no records for other types of a
 * known name, NXDOMAIN for an unknown one. Undefined for a packet that is not a query.
 */
export function dnsAnswer(query: Buffer, names: Record<string, string>): Buffer | undefined {
    const q = dnsQuestion(query);
    if (!q) return undefined;
    const table = new Map(Object.entries(names).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ""), v]));
    const address = table.get(q.name.toLowerCase());

    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2); // id
    const opcode = query[2] & 0x78;
    const recursionDesired = query[2] & 0x01;
    header[2] = 0x80 | opcode | 0x04 | recursionDesired; // a response, authoritative
    header[3] = 0x80 | (address === undefined ? 3 : 0); // recursion available; NXDOMAIN or NOERROR
    header.writeUInt16BE(1, 4);
    const answers: Buffer[] = [];
    if (address !== undefined && q.type === 1 && q.klass === 1) {
        const record = Buffer.alloc(16);
        record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
        record.writeUInt16BE(1, 2); // A
        record.writeUInt16BE(1, 4); // IN
        record.writeUInt32BE(60, 6); // TTL
        record.writeUInt16BE(4, 10);
        address.split(".").forEach((octet, i) => (record[12 + i] = Number(octet)));
        answers.push(record);
    }
    header.writeUInt16BE(answers.length, 6);
    return Buffer.concat([header, query.subarray(12, q.end), ...answers]);
}

export interface DnsServer {
    port: number;
    /** Every name asked so far, spelled as asked. */
    queries: string[];
    close(): Promise<void>;
}

/** A DNS server on UDP `address:port` (0: any free port) answering from `names` (name → IPv4 address). */
export async function startDnsServer(address: string, port: number, names: Record<string, string>): Promise<DnsServer> {
    for (const [name, ip] of Object.entries(names)) {
        if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) || ip.split(".").some((o) => Number(o) > 255)) throw new Error(`names["${name}"]: "${ip}" is not an IPv4 address`);
    }
    const queries: string[] = [];
    const socket = dgram.createSocket("udp4");
    socket.on("message", (message, remote) => {
        const question = dnsQuestion(message);
        if (question) queries.push(question.name);
        const answer = dnsAnswer(message, names);
        if (answer) socket.send(answer, remote.port, remote.address);
    });
    await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind(port, address, () => {
            socket.off("error", reject);
            resolve();
        });
    });
    socket.on("error", () => undefined);
    return {
        port: socket.address().port,
        queries,
        close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
    };
}
