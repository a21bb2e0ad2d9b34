import { UnknownValueError } from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";

/**
 * Reading resource properties the way @pulumi/policy hands them over: `args.props` is wrapped
 * in a proxy that throws UnknownValueError on any property whose value is not known yet
 * (during preview, an output of a resource that does not exist yet). A policy that lets the
 * error escape is reported by the pack server as an *advisory* "can't run policy ... during
 * preview" note, and the policy runs again with known values during the update, before the
 * resource is changed. These helpers let a rule decide what it can without the value.
 */

/** What `read` returns for a value that is not known yet. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

export function isUnknownValueError(e: unknown): boolean {
    return e instanceof (UnknownValueError as unknown as new (...a: unknown[]) => Error);
}

/** Runs `get`; an unknown value (UnknownValueError) becomes UNKNOWN, any other error is rethrown. */
export function read<T>(get: () => T): T | Unknown {
    try {
        return get();
    } catch (e) {
        if (isUnknownValueError(e)) {
            return UNKNOWN;
        }
        throw e;
    }
}

/** Whether an object has an own key, without reading its value (so never throws for unknowns). */
export function hasKey(obj: unknown, key: string): boolean {
    return typeof obj === "object" && obj !== null && Object.prototype.hasOwnProperty.call(obj, key);
}

/** The keys of an object (no values are read). */
export function keysOf(obj: unknown): string[] {
    return typeof obj === "object" && obj !== null && !Array.isArray(obj) ? Object.keys(obj) : [];
}

/** The value when it is an array, else []. */
export function arrayOf(value: unknown): unknown[] {
    return Array.isArray(value) ? (value as unknown[]) : [];
}

/** The value when it is a plain object, else undefined. */
export function objectOf(value: unknown): Record<string, unknown> | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
}

/** The value when it is a string, else undefined. */
export function stringOf(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/**
 * A number from a value that may arrive as a number or as a numeric string (provider
 * inputs sometimes do), else undefined.
 */
export function numberOf(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) {
        return value;
    }
    if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) {
        return Number(value);
    }
    return undefined;
}

/**
 * A boolean from a value that may arrive as a boolean or as "true"/"false" (provider
 * configuration is sent as strings), else undefined.
 */
export function booleanOf(value: unknown): boolean | undefined {
    if (typeof value === "boolean") {
        return value;
    }
    if (value === "true") {
        return true;
    }
    if (value === "false") {
        return false;
    }
    return undefined;
}

/** A value for a message: the string itself, or <computed> for one not known yet. */
export function shown(value: string | Unknown | undefined): string {
    return value === UNKNOWN ? "<computed>" : value === undefined ? "<unset>" : value;
}

/**
 * Defers a decision to the update: throws the same UnknownValueError the props proxy
 * throws, which the pack server turns into an advisory "can't run policy ... during
 * preview" note; during the update the value is known and the policy runs for real,
 * before the resource is created or changed.
 */
export function deferUnknown(path: string): never {
    const Err = UnknownValueError as unknown as new (sentinel: string, props: string[]) => Error;
    throw new Err(unknownValue, path.split("."));
}
