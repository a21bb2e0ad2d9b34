import { CheckFailure } from "@pulumi/pulumi/provider";
import { Endpoint, defaultEndpointUrl, endpointProblems } from "../client/endpoint";
import { isUnknown } from "./rpc";

/** A value in checked inputs: known and of the right type, or still unknown (preview). */
export type Maybe<T> = T | string;

/**
 * Collects check failures for one resource's inputs, each naming the property and saying
 * what to write instead. Unknown values (a preview of something not yet created) pass:
 * they are checked again when known. Every reason repeats the property, because the
 * engine shows reasons without it in some of its messages.
 */
export class Checker {
    public readonly failures: CheckFailure[] = [];

    constructor(private readonly inputs: Record<string, unknown>) {}

    public fail(property: string, reason: string): void {
        this.failures.push({ property, reason: `${property}: ${reason}` });
    }

    /** A string field; `undefined` when absent and not required. */
    public string(key: string, opts: { required?: boolean; pattern?: RegExp; hint?: string } = {}): string | undefined {
        const v = this.inputs[key];
        if (v === undefined || v === null) {
            if (opts.required) {
                this.fail(key, `is required${opts.hint ? ` (${opts.hint})` : ""}`);
            }
            return undefined;
        }
        if (isUnknown(v)) {
            return v as string;
        }
        if (typeof v !== "string") {
            this.fail(key, `must be a string, got ${JSON.stringify(v)}`);
            return undefined;
        }
        if (opts.pattern && !opts.pattern.test(v)) {
            this.fail(key, `"${v}" is not valid${opts.hint ? `: ${opts.hint}` : ""}`);
        }
        return v;
    }

    /** One of a few strings, with a default. */
    public choice<T extends string>(key: string, choices: readonly T[], fallback: T): Maybe<T> {
        const v = this.string(key);
        if (v === undefined) {
            return fallback;
        }
        if (!isUnknown(v) && !choices.includes(v as T)) {
            this.fail(key, `"${v}" is not one of ${choices.map((c) => `"${c}"`).join(", ")}`);
        }
        return v as T;
    }

    public bool(key: string, fallback: boolean): Maybe<boolean> {
        const v = this.inputs[key];
        if (v === undefined || v === null) {
            return fallback;
        }
        if (isUnknown(v)) {
            return v as string;
        }
        if (typeof v !== "boolean") {
            this.fail(key, `must be true or false, got ${JSON.stringify(v)}`);
            return fallback;
        }
        return v;
    }

    public stringList(key: string, fallback: string[]): Maybe<string[]> {
        const v = this.inputs[key];
        if (v === undefined || v === null) {
            return fallback;
        }
        if (isUnknown(v)) {
            return v as string;
        }
        if (!Array.isArray(v)) {
            this.fail(key, `must be a list of strings, got ${JSON.stringify(v)}`);
            return fallback;
        }
        v.forEach((item, i) => {
            if (!isUnknown(item) && typeof item !== "string") {
                this.fail(`${key}[${i}]`, `must be a string, got ${JSON.stringify(item)}`);
            }
        });
        return v as string[];
    }

    /**
     * A command as an argv list, the program first. There is no shell unless the list runs
     * one, so a single string is refused with the way to write it.
     */
    public argv(key: string, opts: { required?: boolean } = {}): Maybe<string[]> | undefined {
        const v = this.inputs[key];
        const example = '["sh", "-c", "echo hi > /tmp/f"]';
        if (v === undefined || v === null) {
            if (opts.required) {
                this.fail(key, `is required: the command as a list, the program first, e.g. ${example}`);
            }
            return undefined;
        }
        if (isUnknown(v)) {
            return v as string;
        }
        if (typeof v === "string") {
            this.fail(key, `must be a list, the program first; to run ${JSON.stringify(v)} through a shell write ["sh", "-c", ${JSON.stringify(v)}]`);
            return undefined;
        }
        if (!Array.isArray(v) || v.length === 0) {
            this.fail(key, `must be a non-empty list of strings, the program first, e.g. ${example}; got ${JSON.stringify(v)}`);
            return undefined;
        }
        v.forEach((item, i) => {
            if (!isUnknown(item) && typeof item !== "string") {
                this.fail(`${key}[${i}]`, `must be a string, got ${JSON.stringify(item)}`);
            }
        });
        if (v[0] === "") {
            this.fail(`${key}[0]`, "is the program to run and cannot be empty");
        }
        return v as string[];
    }

    /** Environment variables: names as the shell takes them, string values. */
    public environment(key: string): Maybe<Record<string, string>> {
        const v = this.inputs[key];
        if (v === undefined || v === null) {
            return {};
        }
        if (isUnknown(v)) {
            return v as string;
        }
        if (typeof v !== "object" || Array.isArray(v)) {
            this.fail(key, `must be a map of variable names to string values, e.g. { TOKEN: "..." }, got ${JSON.stringify(v)}`);
            return {};
        }
        for (const [k, x] of Object.entries(v)) {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
                this.fail(`${key}["${k}"]`, "is not a variable name: letters, digits and underscores, not starting with a digit");
            }
            if (!isUnknown(x) && typeof x !== "string") {
                this.fail(`${key}["${k}"]`, `must be a string: write ${JSON.stringify(String(x))}`);
            }
        }
        return v as Record<string, string>;
    }

    /** A list of anything (compared as a whole); default empty. */
    public list(key: string): Maybe<unknown[]> {
        const v = this.inputs[key];
        if (v === undefined || v === null) {
            return [];
        }
        if (isUnknown(v)) {
            return v as string;
        }
        if (!Array.isArray(v)) {
            this.fail(key, `must be a list, e.g. [someResource.id], got ${JSON.stringify(v)}`);
            return [];
        }
        return v;
    }

    /** A positive number of seconds, with a default. */
    public seconds(key: string, fallback: number): Maybe<number> {
        const v = this.inputs[key];
        if (v === undefined || v === null) {
            return fallback;
        }
        if (isUnknown(v)) {
            return v as string;
        }
        if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
            this.fail(key, `must be a positive number of seconds, got ${JSON.stringify(v)}`);
            return fallback;
        }
        return v;
    }

    /**
     * A map of LXD config keys to string values. LXD stores every value as text; a number
     * or boolean here is almost always `limits.cpu: 2` meant as `"2"`, so it is named.
     */
    public configMap(key: string, value: unknown = this.inputs[key]): Maybe<Record<string, string>> {
        if (value === undefined || value === null) {
            return {};
        }
        if (isUnknown(value)) {
            return value as string;
        }
        if (typeof value !== "object" || Array.isArray(value)) {
            this.fail(key, `must be a map of config keys to string values, got ${JSON.stringify(value)}`);
            return {};
        }
        for (const [k, x] of Object.entries(value)) {
            if (!isUnknown(x) && typeof x !== "string") {
                this.fail(`${key}["${k}"]`, `must be a string (LXD stores every value as text): write ${JSON.stringify(String(x))}`);
            }
        }
        return value as Record<string, string>;
    }

    /** Devices: name → properties, each with a string `type` (disk, nic, proxy ...). */
    public devices(key: string): Maybe<Record<string, Record<string, string>>> {
        const v = this.inputs[key];
        if (v === undefined || v === null) {
            return {};
        }
        if (isUnknown(v)) {
            return v as string;
        }
        if (typeof v !== "object" || Array.isArray(v)) {
            this.fail(key, `must be a map of device names to device properties, got ${JSON.stringify(v)}`);
            return {};
        }
        for (const [name, device] of Object.entries(v)) {
            if (isUnknown(device)) {
                continue;
            }
            if (device === null || typeof device !== "object" || Array.isArray(device)) {
                this.fail(`${key}["${name}"]`, `must be the device's properties with its type, e.g. { type: "nic", network: "lxdbr0" }, got ${JSON.stringify(device)}`);
                continue;
            }
            const props = this.configMap(`${key}["${name}"]`, device) as Record<string, string>;
            if (!isUnknown(props.type) && typeof props.type !== "string") {
                this.fail(`${key}["${name}"].type`, 'is required: every device needs a type ("nic", "disk", "proxy" ...)');
            }
        }
        return v as Record<string, Record<string, string>>;
    }

    /** The endpoint input, defaulting to the local unix socket. */
    public endpoint(): Maybe<Endpoint> {
        const v = this.inputs.endpoint;
        if (v === undefined || v === null) {
            return { url: defaultEndpointUrl };
        }
        if (isUnknown(v)) {
            return v as string;
        }
        if (typeof v !== "object" || Array.isArray(v)) {
            this.fail("endpoint", `must be an object like { url: "https://host:8443", ... }, got ${JSON.stringify(v)}`);
            return { url: defaultEndpointUrl };
        }
        const e = v as Record<string, unknown>;
        const fields = ["url", "clientCertificate", "clientKey", "serverFingerprint"] as const;
        for (const f of Object.keys(e)) {
            if (!(fields as readonly string[]).includes(f)) {
                this.fail(`endpoint.${f}`, `is not an endpoint field (expected ${fields.join(", ")})`);
            }
        }
        if (fields.some((f) => isUnknown(e[f]))) {
            return { ...e, url: (e.url as string | undefined) ?? defaultEndpointUrl } as Endpoint;
        }
        for (const f of fields) {
            if (e[f] !== undefined && typeof e[f] !== "string") {
                this.fail(`endpoint.${f}`, "must be a string");
            }
        }
        const endpoint = { ...(e as Endpoint), url: (e.url as string | undefined) ?? defaultEndpointUrl };
        for (const p of endpointProblems(endpoint)) {
            this.fail(`endpoint.${p.field}`, p.reason);
        }
        return endpoint;
    }
}

/**
 * LXD's rule for instance names (they become hostnames): letters, digits and hyphens, at
 * most 63, starting with a letter and not ending with a hyphen.
 */
export const instanceNamePattern = /^[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** Network names become interface names: at most 15 characters, no slashes or spaces. */
export const networkNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/;

/** Profile and pool names: no slashes, no spaces, not "." or "..". */
export const objectNamePattern = /^(?!\.\.?$)[^/\s]{1,63}$/;
