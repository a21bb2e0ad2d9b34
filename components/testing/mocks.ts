// Pulumi mocks for the components' wiring tests: every registered resource is recorded with
// its inputs (secret markers taken off), and answers with its inputs plus what a test adds.
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

/** Inputs as the mocks see them, with secret markers taken off. */
export function plain(v: any): any {
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === "object") {
        if (v["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return plain(v.value);
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    }
    return v;
}

/** An Output's value, under mocks. */
export const value = <T>(o: pulumi.Output<T>) => new Promise<T>((ok) => o.apply((v) => ok(v)));

/**
 * Sets mocks that record into `registered`. Every resource's state is its inputs, an
 * instance-like address and config (so tier containers resolve), a held address for an
 * lxd:index:StaticAddress, and `extra(type)`.
 */
export function recordResources(registered: Registered[], extra: (type: string, inputs: Record<string, any>) => Record<string, unknown> = () => ({})): Promise<void> {
    return pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, inputs: plain(args.inputs) });
                const held = args.type === "lxd:index:StaticAddress" ? { network: "lxdbr0", address: "10.0.0.254" } : {};
                return { id: `${args.name}-id`, state: { ...args.inputs, ipv4Address: "10.0.0.9", config: { "volatile.uuid": "u" }, stdout: "", ...held, ...extra(args.type, plain(args.inputs)) } };
            },
            call: () => ({}),
        },
        "bcm",
        "dev",
        false,
    );
}
