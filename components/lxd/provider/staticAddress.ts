import { isDeepStrictEqual } from "node:util";
import { LxdClient } from "../client/client";
import { Endpoint } from "../client/endpoint";
import { isLxdError } from "../client/errors";
import { getInstance, getInstanceState } from "../client/instances";
import { connect } from "./connection";
import { PlannedDiff } from "./diff";
import { Props, ResourceHandler } from "./handler";
import { Checker, instanceNamePattern } from "./validate";

/** A StaticAddress's checked inputs. */
interface StaticAddressInputs {
    instance: string;
    profiles: string[];
    nic: string;
    endpoint: Endpoint;
}

/** The devices of one profile, in the order the instance lists its profiles. */
export interface ProfileDevices {
    name: string;
    devices: Record<string, Record<string, string>>;
}

/**
 * The managed network of the NIC `nic` as the instance's profiles define it: the last
 * profile that names the device wins, as LXD applies them. An error names the fix when no
 * profile has it or it is not on a managed network (only LXD's own bridges take a static
 * `ipv4.address`).
 */
export function nicNetwork(profiles: ProfileDevices[], nic: string): string {
    const defining = profiles.filter((p) => p.devices[nic] !== undefined).pop();
    if (!defining) {
        throw new Error(`nic: none of the profiles ${profiles.map((p) => p.name).join(", ")} has a device "${nic}"; name the NIC the instance's network comes from`);
    }
    const device = defining.devices[nic];
    if (device.type !== "nic" || !device.network) {
        throw new Error(
            `nic: device "${nic}" of profile ${defining.name} is not a NIC on an LXD-managed network (it has no "network" key), and only those take a static address; ` +
                "attach it with network=<bridge>",
        );
    }
    return device.network;
}

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function toInt(address: string): number {
    const m = ipv4.exec(address);
    if (!m || m.slice(1).some((o) => Number(o) > 255)) throw new Error(`"${address}" is not an IPv4 address`);
    return m.slice(1).reduce((n, o) => n * 256 + Number(o), 0);
}

function toAddress(n: number): string {
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** The host range of a bridge's `ipv4.address` (its own address with the prefix, e.g. 10.218.0.1/24). */
export function hostRange(bridgeCidr: string): { first: number; last: number; bridge: string; contains(address: string): boolean } {
    const [bridge, bits] = bridgeCidr.split("/");
    const prefix = Number(bits);
    if (!Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`the bridge's ipv4.address "${bridgeCidr}" has no prefix between /8 and /30`);
    const size = 2 ** (32 - prefix);
    const base = toInt(bridge) - (toInt(bridge) % size);
    return {
        first: base + 1,
        last: base + size - 2,
        bridge,
        contains: (address: string) => ipv4.test(address) && toInt(address) >= base + 1 && toInt(address) <= base + size - 2,
    };
}

/**
 * The address to hold: the highest host address of the subnet that is neither the bridge's
 * nor in `used` (leases and other NICs' static addresses). LXD's DHCP hands out addresses
 * from the bottom of its range, so the top is where a new one meets nothing.
 */
export function pickFreeAddress(bridgeCidr: string, used: Iterable<string>): string {
    const range = hostRange(bridgeCidr);
    const taken = new Set([range.bridge, ...used]);
    for (let n = range.last; n >= range.first; n--) {
        const a = toAddress(n);
        if (!taken.has(a)) return a;
    }
    throw new Error(`network: no free address left in ${bridgeCidr}; free one (delete an instance) or give the bridge a larger subnet`);
}

/** A static address recorded before is kept; another instance, NIC or daemon is another address. */
export function diffStaticAddress(olds: Props, news: Props): PlannedDiff {
    const changed = (f: string) => !isDeepStrictEqual(olds[f], news[f]);
    return { replaces: ["instance", "nic", "endpoint"].filter(changed), updates: ["profiles"].filter(changed), deleteBeforeReplace: false };
}

/**
 * lxd:index:StaticAddress: an IPv4 address on the bridge an instance's NIC comes from,
 * held for that instance in the stack's state so that the instance, deleted and made again,
 * comes back on it (give it as the NIC's `ipv4.address`). A swarm's manager needs this: its
 * dockerd keeps the address it advertised in its data volume and cannot start the swarm on
 * another (moby/moby#41043), and its workers know only that address. LXD has no object for
 * it: it becomes a static DHCP lease once an instance's NIC carries it. The first address is
 * the one the instance already has (a data center made before this resource), else a free
 * one; refresh keeps it while the network exists.
 */
export const staticAddressHandler: ResourceHandler = {
    async check(_urn, _olds, news) {
        const c = new Checker(news);
        const inputs: Props = {
            instance: c.string("instance", { required: true, pattern: instanceNamePattern, hint: "the name the lxd:index:Instance will have" }),
            profiles: c.stringList("profiles", ["default"]),
            nic: c.string("nic") ?? "eth0",
            endpoint: c.endpoint(),
        };
        return { inputs, failures: c.failures };
    },

    diff: diffStaticAddress,

    async create(props) {
        const inputs = props as unknown as StaticAddressInputs;
        const client = await connect(inputs.endpoint);
        const network = nicNetwork(await profileDevices(client, inputs.profiles), inputs.nic);
        const cidr = await bridgeCidr(client, network);
        const address = (await currentAddress(client, inputs, cidr)) ?? pickFreeAddress(cidr, await usedAddresses(client, network));
        return { id: `${network}/${inputs.instance}`, outs: { ...props, network, address } };
    },

    async read(id, props) {
        const client = await connect(props.endpoint as Endpoint | undefined);
        // The address belongs to the network: with it gone (or renumbered away from it), so is the hold.
        const network = String(props.network);
        let cidr: string;
        try {
            cidr = await bridgeCidr(client, network);
        } catch (err) {
            if (isLxdError(err, 404)) return {};
            throw err;
        }
        return hostRange(cidr).contains(String(props.address)) ? { id, props } : {};
    },

    async update(_id, olds, news) {
        return { ...news, network: olds.network, address: olds.address };
    },

    async delete() {
        // Nothing in LXD to remove: the lease goes with the NIC that carries the address.
    },
};

async function profileDevices(client: LxdClient, profiles: string[]): Promise<ProfileDevices[]> {
    const out: ProfileDevices[] = [];
    for (const name of profiles) {
        try {
            const p = await client.get<{ devices: Record<string, Record<string, string>> }>(`/1.0/profiles/${encodeURIComponent(name)}`, { object: `profile ${name}` });
            out.push({ name, devices: p.devices ?? {} });
        } catch (err) {
            if (isLxdError(err, 404)) throw new Error(`profiles: there is no profile "${name}" on ${client.url}; create it (an lxd:index:Profile) or remove it from profiles`);
            throw err;
        }
    }
    return out;
}

async function bridgeCidr(client: LxdClient, network: string): Promise<string> {
    const n = await client.get<{ managed: boolean; config: Record<string, string> }>(`/1.0/networks/${encodeURIComponent(network)}`, { object: `network ${network}` });
    const cidr = n.config?.["ipv4.address"];
    if (!n.managed || !cidr || !cidr.includes("/")) {
        throw new Error(`network: ${network} on ${client.url} is not an LXD-managed bridge with an IPv4 subnet (ipv4.address is "${cidr ?? ""}"), so it cannot hold a static address`);
    }
    return cidr;
}

/** The instance's address on the bridge, when it exists already: holding that one changes nothing for it. */
async function currentAddress(client: LxdClient, inputs: StaticAddressInputs, cidr: string): Promise<string | undefined> {
    const found = await getInstance(client, inputs.instance);
    if (!found) return undefined;
    const pinned = found.instance.devices[inputs.nic]?.["ipv4.address"];
    if (pinned) return pinned;
    const state = await getInstanceState(client, inputs.instance);
    const range = hostRange(cidr);
    return state.network?.[inputs.nic]?.addresses.find((a) => a.family === "inet" && range.contains(a.address))?.address;
}

/** Every address the bridge has given out (leases) or that another NIC holds statically. */
async function usedAddresses(client: LxdClient, network: string): Promise<string[]> {
    const leases = await client.get<Array<{ address: string }>>(`/1.0/networks/${encodeURIComponent(network)}/leases`, { object: `the leases of network ${network}` });
    const instances = await client.get<Array<{ expanded_devices?: Record<string, Record<string, string>> }>>("/1.0/instances?recursion=1", { object: "the instances" });
    const statics = instances.flatMap((i) =>
        Object.values(i.expanded_devices ?? {})
            .filter((d) => d.type === "nic" && d.network === network && d["ipv4.address"])
            .map((d) => d["ipv4.address"]),
    );
    return [...leases.map((l) => l.address), ...statics];
}
