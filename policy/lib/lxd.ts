import { objectOf, read, stringOf, UNKNOWN, Unknown } from "./values";

/** Resource types of the project's LXD provider (components/lxd). */
export const lxdTypes = {
    instance: "lxd:index:Instance",
    profile: "lxd:index:Profile",
} as const;

export function isLxdType(type: string): boolean {
    return type === lxdTypes.instance || type === lxdTypes.profile;
}

export { lxdTrue } from "./lxdSideDoors";

/** An LXD device: its name and string properties (values UNKNOWN when not known yet). */
export interface LxdDevice {
    name: string;
    props: Record<string, string | Unknown>;
}

/** The devices of an instance or profile (`devices`: name → { type, ... }). */
export function devicesOf(props: Record<string, unknown>): LxdDevice[] {
    const devices = objectOf(props.devices) ?? {};
    return Object.keys(devices).map((name) => {
        const d = read(() => objectOf(devices[name]) ?? {});
        const out: Record<string, string | Unknown> = {};
        if (d === UNKNOWN) {
            out.type = UNKNOWN;
        } else {
            for (const k of Object.keys(d)) {
                const v = read(() => stringOf(d[k]));
                if (v !== undefined) {
                    out[k] = v;
                }
            }
        }
        return { name, props: out };
    });
}

/** The config map of an instance or profile (`config`: key → string). */
export function configOf(props: Record<string, unknown>): Record<string, unknown> {
    return objectOf(props.config) ?? {};
}

/**
 * An LXD proxy address `<proto>:<addr>:<port[s]>` (tcp:0.0.0.0:8332, tcp:[::]:80,443,
 * tcp:127.0.0.1:8000-8010, unix:/run/x.sock). Ports are expanded (ranges capped at 1024
 * entries, which is plenty to find a listed port).
 */
export function parseProxyAddress(address: string): { proto: string; target: string; ports: number[] } {
    const i = address.indexOf(":");
    const proto = i < 0 ? "" : address.slice(0, i).toLowerCase();
    const target = i < 0 ? address : address.slice(i + 1);
    if (proto !== "tcp" && proto !== "udp") {
        return { proto, target, ports: [] };
    }
    const j = target.lastIndexOf(":");
    const spec = j < 0 ? "" : target.slice(j + 1);
    const ports: number[] = [];
    for (const part of spec.split(",")) {
        const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
        if (!range) {
            continue;
        }
        const from = Number(range[1]);
        const to = range[2] ? Number(range[2]) : from;
        for (let p = from; p <= to && p - from < 1024; p++) {
            ports.push(p);
        }
    }
    return { proto, target, ports };
}
