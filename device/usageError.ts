/**
 * Malformed input from the command line. The CLI maps it to exit code 2, so it must
 * only ever describe the caller's mistake, never a device or I/O failure.
 */
export class UsageError extends Error {
  constructor(
    /** The option or argument at fault, as the user typed it (e.g. `--path`). */
    readonly argument: string,
    reason: string,
  ) {
    super(`${argument}: ${reason}`);
    this.name = "UsageError";
  }
}
