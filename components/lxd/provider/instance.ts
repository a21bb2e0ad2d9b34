import { LxdClient } from "../client/client";
import { Endpoint, defaultEndpointUrl } from "../client/endpoint";
import { LxdError, isLxdError, messageOf } from "../client/errors";
import { resolveImage } from "../client/images";
import {
    InstanceInfo,
    deleteInstance,
    getInstance,
    getInstanceState,
    globalAddress,
    instancePath,
    startInstance,
    stopInstance,
    waitForAddress,
} from "../client/instances";
import { connect } from "./connection";
import { diffInstance, instanceServerKey, mergeConfigForPut } from "./diff";
import { PartialCreateError, Props, ResourceHandler } from "./handler";
import { claimOf, foreignObjectError } from "./identity";
import { adoptionPlan, settleInstance } from "./instanceAdoption";
import { autoName, urnName } from "./naming";
import { isUnknown } from "./rpc";
import { Checker, instanceNamePattern } from "./validate";

/** What `waitForAddress` asks for, with its defaults filled in. */
export interface AddressWait {
    interface: string;
    family: "inet" | "inet6";
    timeoutSeconds: number;
}

/** An instance's checked inputs. */
interface InstanceInputs {
    name: string;
    image: string;
    type: "container" | "virtual-machine";
    description: string;
    profiles: string[];
    config: Record<string, string>;
    devices: Record<string, Record<string, string>>;
    running: boolean;
    ephemeral: boolean;
    waitForAddress?: AddressWait;
    endpoint: Endpoint;
}

/**
 * lxd:index:Instance. Create = POST from a local image, start, wait for an address; a
 * failure after the POST deletes the instance again, so a failed create leaves nothing
 * untracked (and if even that fails, the error carries the id so the engine tracks it).
 */
export const instanceHandler: ResourceHandler = {
    async check(urn, olds, news) {
        const c = new Checker(news);
        const given = c.string("name", {
            pattern: instanceNamePattern,
            hint: "letters, digits and hyphens, at most 63, starting with a letter (it becomes the hostname)",
        });
        const name = given ?? (typeof olds.name === "string" ? olds.name : autoName(urnName(urn)));
        const image = c.string("image", {
            required: true,
            hint: "an image alias or fingerprint on the endpoint, e.g. an alias of an lxd:index:Image",
        });
        const running = c.bool("running", true);
        const ephemeral = c.bool("ephemeral", false);
        if (ephemeral === true && running === false) {
            c.fail("ephemeral", "an ephemeral instance is deleted when it stops, so it cannot have running: false");
        }
        const wait = checkAddressWait(c, news.waitForAddress);
        if (wait && running === false) {
            c.fail("waitForAddress", "a stopped instance (running: false) gets no address; drop waitForAddress or run it");
        }
        const inputs: Props = {
            name,
            image,
            type: c.choice("type", ["container", "virtual-machine"] as const, "container"),
            description: c.string("description") ?? "",
            profiles: c.stringList("profiles", ["default"]),
            config: c.configMap("config"),
            devices: c.devices("devices"),
            running,
            ephemeral,
            waitForAddress: wait,
            endpoint: c.endpoint(),
        };
        return { inputs, failures: c.failures };
    },

    diff: diffInstance,

    // A container stopped behind Pulumi's back (or by a host reboot) is started again by the
    // next `up`, which would otherwise see nothing to do until a `--refresh`.
    async liveDrift(olds, news) {
        if (news.running !== true || olds.running !== true || typeof olds.name !== "string") return [];
        try {
            const client = await connect(news.endpoint as InstanceInputs["endpoint"]);
            const state = await getInstanceState(client, olds.name);
            return state.status === "Running" ? [] : ["running"];
        } catch {
            return []; // unreachable or gone: the update or a refresh says so with the reason
        }
    },

    async create(props) {
        const inputs = props as unknown as InstanceInputs;
        const client = await connect(inputs.endpoint);
        const name = inputs.name;
        // A killed run's POST may still be under way in LXD, before the instance is even
        // listed (a second POST then fails "busy running a create operation"): wait for it.
        await settleInstance(client, name);
        const existing = await getInstance(client, name);
        if (existing) {
            const claim = claimOf(existing.instance.config, inputs.config);
            if (claim.kind === "foreign") throw foreignObjectError(`instance ${name}`, client.url, claim.owner, inputs.config);
            if (claim.kind === "unmarked") throw nameClash(name, client);
        }
        const fingerprint = await resolveImage(client, inputs.image);
        if (!fingerprint) {
            throw new Error(
                `image: there is no image with alias or fingerprint "${inputs.image}" on ${client.url}; ` +
                    "import it first (an lxd:index:Image, or `lxc image import`) or fix the name",
            );
        }
        await requireProfiles(client, inputs.profiles);
        if (existing) {
            const adopted = await adoptInstance(client, name, fingerprint, inputs, props);
            if (adopted) return adopted;
        }
        try {
            await client.run("POST", "/1.0/instances", {
                object: `instance ${name}`,
                timeoutSeconds: 900,
                body: {
                    name,
                    type: inputs.type,
                    description: inputs.description,
                    profiles: inputs.profiles,
                    config: inputs.config,
                    devices: inputs.devices,
                    ephemeral: inputs.ephemeral,
                    source: { type: "image", fingerprint },
                },
            });
        } catch (err) {
            if (isLxdError(err, 409) || (err instanceof LxdError && /already exists/i.test(err.lxdMessage))) {
                throw nameClash(name, client);
            }
            await undoCreate(client, name, err);
            throw err;
        }
        if (!(await getInstance(client, name))) {
            throw new LxdError(0, client.url, `instance ${name}`, "the create operation finished but the instance is not there");
        }
        try {
            await converge(client, name, inputs);
        } catch (err) {
            await undoCreate(client, name, err);
            const reason = messageOf(err);
            throw new Error(`${reason}; the instance was deleted again, so nothing is left behind`);
        }
        return { id: name, outs: await readOutputs(client, name, props) };
    },

    async read(id, props) {
        const client = await connect(props.endpoint as Endpoint | undefined);
        const found = await getInstance(client, id);
        if (!found) {
            return {};
        }
        const imported = props.image === undefined;
        const base: Props = imported ? importedInputs(found.instance, props) : props;
        const outs = await readOutputs(client, id, base);
        return { id, props: outs, inputs: imported ? base : undefined };
    },

    async update(id, olds, news) {
        const inputs = news as unknown as InstanceInputs;
        const client = await connect(inputs.endpoint);
        const plan = diffInstance(olds, news);
        if (plan.updates.some((f) => ["config", "devices", "profiles", "description"].includes(f))) {
            if (plan.updates.includes("profiles")) {
                await requireProfiles(client, inputs.profiles);
            }
            await putInstance(client, id, inputs);
        } else if (!(await getInstance(client, id))) {
            throw gone(id, client);
        }
        await converge(client, id, inputs);
        return readOutputs(client, id, news);
    },

    async delete(id, props) {
        const client = await connect(props.endpoint as Endpoint | undefined);
        await deleteInstance(client, id);
    },
};

/**
 * An instance of this cluster that the state does not hold (a killed run's create, which LXD
 * finished without its client; the caller waited for LXD's operations on it): converge it to
 * the inputs (PUT, power state, address) like an update, or delete it and let the create
 * make it again when it cannot be converged (adoptionPlan says why). Undefined when it is
 * gone by then or was deleted here: the caller creates it.
 */
async function adoptInstance(client: LxdClient, name: string, fingerprint: string, inputs: InstanceInputs, props: Props): Promise<{ id: string; outs: Props } | undefined> {
    const found = await getInstance(client, name);
    if (!found) return undefined;
    const plan = adoptionPlan(found.instance, fingerprint, inputs);
    if (plan.action === "replace") {
        await deleteInstance(client, name);
        return undefined;
    }
    try {
        await putInstance(client, name, inputs);
        await converge(client, name, inputs);
    } catch (err) {
        // As a create that fails: nothing the state does not know of is left behind.
        await undoCreate(client, name, err);
        throw new Error(`${messageOf(err)}; the instance (taken over from an interrupted run) was deleted again, so nothing is left behind`);
    }
    return { id: name, outs: await readOutputs(client, name, props) };
}

/**
 * PUT the program's config, devices and profiles, carrying over the server's own keys
 * (volatile.*, image.*) and guarded by the ETag; a 412 (changed in between) is retried
 * once on a fresh read.
 */
async function putInstance(client: LxdClient, name: string, inputs: InstanceInputs): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        const found = await getInstance(client, name);
        if (!found) {
            throw gone(name, client);
        }
        const live = found.instance;
        try {
            await client.run("PUT", instancePath(name), {
                etag: found.etag,
                object: `instance ${name}`,
                body: {
                    architecture: live.architecture,
                    config: mergeConfigForPut(live.config, inputs.config, instanceServerKey),
                    devices: inputs.devices,
                    profiles: inputs.profiles,
                    ephemeral: live.ephemeral,
                    stateful: live.stateful,
                    description: inputs.description,
                },
            });
            return;
        } catch (err) {
            if (!isLxdError(err, 412) || attempt >= 2) {
                throw err;
            }
        }
    }
}

/** Brings the power state to what the program asks, then waits for the address if asked. */
async function converge(client: LxdClient, name: string, inputs: InstanceInputs): Promise<void> {
    const state = await getInstanceState(client, name);
    if (inputs.running && state.status !== "Running") {
        await startInstance(client, name);
    } else if (!inputs.running && state.status === "Running") {
        await stopInstance(client, name);
    }
    if (inputs.running && inputs.waitForAddress) {
        try {
            await waitForAddress(client, name, inputs.waitForAddress);
        } catch (err) {
            const reason = messageOf(err);
            throw new Error(`waitForAddress: ${reason}`);
        }
    }
}

/** The outputs: the inputs that LXD does not keep (image, waitForAddress, endpoint) plus the live object. */
async function readOutputs(client: LxdClient, name: string, inputs: Props): Promise<Props> {
    const found = await getInstance(client, name);
    if (!found) {
        throw gone(name, client);
    }
    const live = found.instance;
    const state = await getInstanceState(client, name);
    const wait = inputs.waitForAddress as AddressWait | undefined;
    const nic = wait?.interface ?? "eth0";
    return {
        name: live.name,
        image: inputs.image,
        type: live.type,
        description: live.description,
        profiles: live.profiles,
        config: live.config,
        devices: live.devices,
        running: state.status === "Running",
        ephemeral: live.ephemeral,
        waitForAddress: wait,
        endpoint: inputs.endpoint,
        status: state.status,
        ipv4Address: globalAddress(state, nic, "inet") ?? "",
        ipv6Address: globalAddress(state, nic, "inet6") ?? "",
        imageFingerprint: live.config["volatile.base_image"] ?? "",
        location: live.location,
    };
}

/** For `pulumi import`: inputs that reproduce the live instance (its base image by fingerprint). */
function importedInputs(live: InstanceInfo, props: Props): Props {
    const config = Object.fromEntries(Object.entries(live.config).filter(([k]) => !instanceServerKey(k)));
    return {
        name: live.name,
        image: live.config["volatile.base_image"] ?? "",
        type: live.type,
        description: live.description,
        profiles: live.profiles,
        config,
        devices: live.devices,
        running: live.status === "Running",
        ephemeral: live.ephemeral,
        endpoint: props.endpoint ?? { url: defaultEndpointUrl },
    };
}

/** Every profile must exist before LXD is asked: its own error does not say which one is missing. */
async function requireProfiles(client: LxdClient, profiles: string[]): Promise<void> {
    for (const p of profiles) {
        if (!(await client.exists(`/1.0/profiles/${encodeURIComponent(p)}`))) {
            throw new Error(
                `profiles: there is no profile "${p}" on ${client.url}; create it (an lxd:index:Profile) or remove it from profiles`,
            );
        }
    }
}

/** Deletes a half-made instance; if that fails too, the error keeps the id so the engine tracks it. */
async function undoCreate(client: LxdClient, name: string, cause: unknown): Promise<void> {
    try {
        await deleteInstance(client, name);
    } catch (undoErr) {
        const reason = messageOf(cause);
        const undo = messageOf(undoErr);
        throw new PartialCreateError(
            `${reason}; deleting the half-made instance failed too (${undo}), so it stays in the stack's state`,
            name,
            { name },
        );
    }
}

/** An existing instance that carries no cluster (made by hand, or by a program that is not BCM's). */
function nameClash(name: string, client: LxdClient): Error {
    return new Error(
        `name: an instance named ${name} already exists on ${client.url} and is no BCM cluster's (no user.bcm.cluster); import it ` +
            `(pulumi import lxd:index:Instance <resource name> ${name}) or choose another name`,
    );
}

function gone(name: string, client: LxdClient): Error {
    return new Error(`instance ${name} no longer exists on ${client.url}; run \`pulumi refresh\` and the next up creates it again`);
}

/** Checks `waitForAddress` and fills its defaults (eth0, inet, 120 s). */
function checkAddressWait(c: Checker, v: unknown): AddressWait | string | undefined {
    if (v === undefined || v === null || isUnknown(v)) {
        return v as string | undefined;
    }
    if (typeof v !== "object" || Array.isArray(v)) {
        c.fail("waitForAddress", `must be an object like { interface: "eth0", family: "inet", timeoutSeconds: 120 }`);
        return undefined;
    }
    const w = v as Record<string, unknown>;
    const nic = w.interface ?? "eth0";
    const family = w.family ?? "inet";
    const timeout = w.timeoutSeconds ?? 120;
    if (!isUnknown(nic) && (typeof nic !== "string" || nic === "")) {
        c.fail("waitForAddress.interface", 'must name the interface inside the instance, e.g. "eth0"');
    }
    if (!isUnknown(family) && family !== "inet" && family !== "inet6") {
        c.fail("waitForAddress.family", `must be "inet" or "inet6", got ${JSON.stringify(family)}`);
    }
    if (!isUnknown(timeout) && (typeof timeout !== "number" || !(timeout > 0))) {
        c.fail("waitForAddress.timeoutSeconds", `must be a positive number of seconds, got ${JSON.stringify(timeout)}`);
    }
    return { interface: nic, family, timeoutSeconds: timeout } as AddressWait;
}
