import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

// The provider server hands over property values as the engine sends them: secrets wrapped
// as {<sig>: <secret sig>, value}, unknowns (during preview) as a sentinel string. The
// provider declares that it accepts secrets, so the engine trusts it to mark secret outputs
// itself: nothing is copied over by the engine, and a plain output is stored in plain text.

/** True for a value the engine does not know yet (a preview of something not created). */
export function isUnknown(v: unknown): boolean {
    return v === unknownValue;
}

/** True for a wrapped secret. */
export function isSecret(v: unknown): v is { value: unknown } {
    return v !== null && typeof v === "object" && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

/** Wraps a value as a secret (once). */
export function makeSecret(v: unknown): unknown {
    return isSecret(v) ? v : { [specialSigKey]: specialSecretSig, value: v };
}

/** The plain value with every secret wrapper removed, at any depth. */
export function unwrapSecrets(v: unknown): unknown {
    if (isSecret(v)) {
        return unwrapSecrets(v.value);
    }
    if (Array.isArray(v)) {
        return v.map(unwrapSecrets);
    }
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
    }
    return v;
}

/** True when the value is or holds a secret. */
export function containsSecrets(v: unknown): boolean {
    if (isSecret(v)) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsSecrets);
    }
    if (v !== null && typeof v === "object") {
        return Object.values(v).some(containsSecrets);
    }
    return false;
}

/**
 * Copies secretness from inputs to outputs the way the engine does for providers that do
 * not handle secrets: same-named objects are followed key by key; any other output whose
 * input holds a secret becomes secret as a whole (an array with one secret is all secret).
 */
export function annotateSecrets(outs: Record<string, unknown>, ins: Record<string, unknown> | undefined): Record<string, unknown> {
    if (!ins) {
        return outs;
    }
    const result: Record<string, unknown> = { ...outs };
    for (const [key, inValue] of Object.entries(ins)) {
        if (!(key in result)) {
            continue;
        }
        const outValue = result[key];
        const inPlain = isSecret(inValue) ? inValue.value : inValue;
        if (isPlainObject(outValue) && isPlainObject(inPlain) && !isSecret(inValue)) {
            result[key] = annotateSecrets(outValue, inPlain);
        } else if (containsSecrets(inValue)) {
            result[key] = makeSecret(unwrapSecrets(outValue));
        }
    }
    return result;
}

/**
 * True when the program marked any input secret. The endpoint's client key does not
 * count: it is secret on every https endpoint and says nothing about the object.
 */
export function hasProgramSecrets(inputs: Record<string, unknown>): boolean {
    const { endpoint, ...rest } = inputs;
    if (containsSecrets(rest) || isSecret(endpoint)) {
        return true;
    }
    if (isPlainObject(endpoint)) {
        const { clientKey: _key, ...others } = endpoint;
        return containsSecrets(others);
    }
    return false;
}

/** The outputs with the named ones wrapped as secrets (those that are there). */
export function markSecret(outs: Record<string, unknown>, keys: string[]): Record<string, unknown> {
    const result = { ...outs };
    for (const k of keys) {
        if (k in result && result[k] !== undefined) {
            result[k] = makeSecret(result[k]);
        }
    }
    return result;
}

/** Secret strings shorter than this are not redacted: a "1" would hit every digit of a message. */
const shortestRedacted = 4;

/** Every string inside a secret, at any depth: what must not show in an error message. */
export function secretStrings(v: unknown, inSecret = false): string[] {
    if (isSecret(v)) {
        return secretStrings(v.value, true);
    }
    if (typeof v === "string") {
        return inSecret && v.length >= shortestRedacted ? [v] : [];
    }
    if (Array.isArray(v)) {
        return v.flatMap((x) => secretStrings(x, inSecret));
    }
    if (v !== null && typeof v === "object") {
        return Object.values(v).flatMap((x) => secretStrings(x, inSecret));
    }
    return [];
}

/**
 * The text with every secret replaced by `[secret]`, longest first (so a secret that
 * contains another is replaced whole). Errors are printed, and a failed command's stderr
 * may echo the secret it was given.
 */
export function redact(text: string, secrets: string[]): string {
    let result = text;
    for (const s of [...new Set(secrets)].sort((a, b) => b.length - a.length)) {
        result = result.split(s).join("[secret]");
    }
    return result;
}

/** The endpoint's private key is always secret, whether or not the program said so. */
export function protectClientKey(props: Record<string, unknown>): Record<string, unknown> {
    const endpoint = props.endpoint;
    if (!isPlainObject(endpoint) || endpoint.clientKey === undefined || isSecret(endpoint.clientKey)) {
        return props;
    }
    return { ...props, endpoint: { ...endpoint, clientKey: makeSecret(endpoint.clientKey) } };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v) && !isSecret(v);
}
