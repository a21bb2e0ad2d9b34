import * as pulumi from "@pulumi/pulumi";

/**
 * The property bag a resource class registers: its args, plus every output it declares
 * (undefined unless the program gave it). The SDK makes an Output only for the keys in
 * this bag, so without them `instance.config` would be undefined, not an Output, whenever
 * the program left `config` out.
 */
export function withOutputs(args: object, outputs: readonly string[]): pulumi.Inputs {
    return { ...Object.fromEntries(outputs.map((k) => [k, undefined])), ...args };
}
