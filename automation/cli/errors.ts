import { CommanderError } from "commander";
import { ExitCode } from "./exitCodes";

/** A failure the user can fix, with the fix in the message. */
export class CliError extends Error {
    constructor(
        message: string,
        readonly exitCode: number = ExitCode.failed,
    ) {
        super(message);
        this.name = "CliError";
    }
}

/**
 * Maps anything thrown by a command to one line and an exit code. Usage errors (from the
 * device layer's `UsageError`, or commander's own parsing) exit 2; everything else exits 1.
 */
export function describeFailure(err: unknown): { line: string; exitCode: number } {
    if (err instanceof CommanderError) {
        return { line: err.message.replace(/^error: /, ""), exitCode: ExitCode.usage };
    }
    if (err instanceof CliError) {
        return { line: err.message, exitCode: err.exitCode };
    }
    if (err instanceof Error && err.name === "UsageError") {
        return { line: err.message, exitCode: ExitCode.usage };
    }
    const message = err instanceof Error ? err.message : String(err);
    return { line: message.split("\n")[0], exitCode: ExitCode.failed };
}
