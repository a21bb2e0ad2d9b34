import { LxdClient } from "./client";
import { LxdError, isLxdError } from "./errors";

/** An instance as `GET /1.0/instances/<name>` shows it (the fields used here). */
export interface InstanceInfo {
    name: string;
    type: "container" | "virtual-machine";
    architecture: string;
    status: string;
    status_code: number;
    ephemeral: boolean;
    stateful: boolean;
    description: string;
    profiles: string[];
    /** Instance-local config, including the server's `volatile.*` and `image.*` keys. */
    config: Record<string, string>;
    /** Instance-local devices (not those inherited from profiles). */
    devices: Record<string, Record<string, string>>;
    location: string;
}

/** One address of a network interface, from `GET /1.0/instances/<name>/state`. */
export interface InstanceAddress {
    family: "inet" | "inet6";
    address: string;
    netmask: string;
    scope: string;
}

/** The live state of an instance. */
export interface InstanceState {
    status: string;
    status_code: number;
    pid: number;
    network: Record<string, { addresses: InstanceAddress[]; hwaddr: string; state: string; type: string }> | null;
}

export function instancePath(name: string): string {
    return `/1.0/instances/${encodeURIComponent(name)}`;
}

/** The instance and its ETag, or undefined when there is none by that name. */
export async function getInstance(client: LxdClient, name: string): Promise<{ instance: InstanceInfo; etag?: string } | undefined> {
    try {
        const { metadata, etag } = await client.getWithEtag<InstanceInfo>(instancePath(name));
        return { instance: metadata, etag };
    } catch (err) {
        if (isLxdError(err, 404)) {
            return undefined;
        }
        throw err;
    }
}

/** The instance's live state (status, addresses). */
export function getInstanceState(client: LxdClient, name: string): Promise<InstanceState> {
    return client.get<InstanceState>(`${instancePath(name)}/state`);
}

/** Starts an instance and waits until LXD reports it started. */
export async function startInstance(client: LxdClient, name: string, timeoutSeconds = 120): Promise<void> {
    await client.run("PUT", `${instancePath(name)}/state`, {
        body: { action: "start", timeout: timeoutSeconds, force: false, stateful: false },
        timeoutSeconds,
        object: `start of instance ${name}`,
    });
}

/**
 * Stops an instance: cleanly within `timeoutSeconds` (the init gets SIGPWR), or at once
 * with `force`. A clean stop that does not finish in time is forced.
 */
export async function stopInstance(client: LxdClient, name: string, opts: { force?: boolean; timeoutSeconds?: number } = {}): Promise<void> {
    const timeout = opts.timeoutSeconds ?? 30;
    const stop = (force: boolean) =>
        client.run("PUT", `${instancePath(name)}/state`, {
            body: { action: "stop", timeout, force, stateful: false },
            timeoutSeconds: timeout + 30,
            object: `stop of instance ${name}`,
        });
    if (opts.force) {
        await stop(true);
        return;
    }
    try {
        await stop(false);
    } catch (err) {
        if (!(err instanceof LxdError) || err.status === 404) {
            throw err;
        }
        await stop(true);
    }
}

/**
 * Deletes an instance whatever its state: force-stop, then delete. An instance that is not
 * there (or vanishes on stop, as ephemeral ones do) counts as deleted.
 */
export async function deleteInstance(client: LxdClient, name: string): Promise<void> {
    const found = await getInstance(client, name);
    if (!found) {
        return;
    }
    try {
        if (found.instance.status !== "Stopped") {
            await stopInstance(client, name, { force: true });
        }
        await client.run("DELETE", instancePath(name), { object: `instance ${name}` });
    } catch (err) {
        if (!isLxdError(err, 404)) {
            throw err;
        }
    }
}

/**
 * The first global address of one family on one interface. The interface is named, never
 * guessed: the alphabetically first one would be docker0 on an instance running Docker.
 */
export function globalAddress(state: InstanceState, iface: string, family: "inet" | "inet6"): string | undefined {
    const nic = state.network?.[iface];
    return nic?.addresses.find((a) => a.family === family && a.scope === "global")?.address;
}

/**
 * Polls the instance's state until the interface has a global address of the family.
 * Times out with what was seen, so a DHCP or firewall problem is visible in the message.
 */
export async function waitForAddress(
    client: LxdClient,
    name: string,
    opts: { interface: string; family: "inet" | "inet6"; timeoutSeconds: number },
): Promise<string> {
    const deadline = Date.now() + opts.timeoutSeconds * 1000;
    let state: InstanceState;
    for (;;) {
        state = await getInstanceState(client, name);
        const address = globalAddress(state, opts.interface, opts.family);
        if (address) {
            return address;
        }
        if (state.status !== "Running") {
            throw new LxdError(0, client.url, `instance ${name}`, `is ${state.status} while waiting for an address on ${opts.interface}`);
        }
        if (Date.now() >= deadline) {
            break;
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
    const seen = Object.entries(state.network ?? {})
        .map(([nic, n]) => `${nic}: ${n.addresses.map((a) => `${a.address} (${a.family}, ${a.scope})`).join(", ") || "no address"}`)
        .join("; ");
    throw new LxdError(
        0,
        client.url,
        `instance ${name}`,
        `no global ${opts.family} address on ${opts.interface} after ${opts.timeoutSeconds} s (seen: ${seen || "no interfaces"}); ` +
            "check that the image configures the interface by DHCP and that the bridge's DHCP and the firewall " +
            "(DOCKER-USER rules, scripts/host/ensure-firewall.sh) let it through",
    );
}
