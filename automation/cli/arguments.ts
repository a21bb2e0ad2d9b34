// Validation of command-line values. Every failure is a UsageError naming the argument,
// so the CLI can exit 2 with a message that says which input was wrong.
import { hexToBytes } from "../../device/bytes";
import { parseBip32Path } from "../../device/bip32Path";
import { UsageError } from "../../device/usageError";

export function hexArgument(argument: string, value: string | undefined, options: { length?: number; multipleOf?: number } = {}): Uint8Array {
  if (value === undefined) throw new UsageError(argument, "is required");
  const text = value.startsWith("0x") ? value.slice(2) : value;
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(text);
  } catch {
    throw new UsageError(argument, `not a hex string of whole bytes: ${JSON.stringify(value)}`);
  }
  if (options.length !== undefined && bytes.length !== options.length) {
    throw new UsageError(argument, `must be exactly ${options.length} bytes, got ${bytes.length}`);
  }
  if (options.multipleOf !== undefined && bytes.length % options.multipleOf !== 0) {
    throw new UsageError(argument, `length must be a multiple of ${options.multipleOf} bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function pathArgument(argument: string, value: string | undefined): number[] {
  if (value === undefined) throw new UsageError(argument, "is required");
  try {
    return parseBip32Path(value);
  } catch (error) {
    throw new UsageError(argument, (error as Error).message);
  }
}

export function uint32Argument(argument: string, value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) throw new UsageError(argument, `not an unsigned 32-bit integer: ${JSON.stringify(value)}`);
  return Number(text);
}

export function choiceArgument<T extends string>(argument: string, value: string | undefined, choices: readonly T[], fallback?: T): T {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(argument, `is required (one of ${choices.join(", ")})`);
    return fallback;
  }
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(argument, `must be one of ${choices.join(", ")}, got ${JSON.stringify(value)}`);
  return value as T;
}

export function requiredArgument(argument: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new UsageError(argument, "is required");
  return value;
}
