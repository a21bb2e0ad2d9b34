import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { registerDevice, registerFile, registerGit, registerGpg, registerPass, registerSsh } from "./commands/identity";
import { registerCluster, registerShow } from "./commands/cluster";
import { registerInfo } from "./commands/info";
import { registerInit } from "./commands/init";
import { registerStack } from "./commands/stack";
import { registerPulumi } from "./commands/pulumi";
import { registerElectrum } from "./commands/electrum";
import { registerBackup } from "./commands/backup";
import { registerHealth } from "./commands/health";
import { registerSnapshots } from "./commands/snapshots";
import { registerLightning } from "./commands/lightning";
import { describeFailure } from "./errors";
import { ExitCode, exitCodeHelp } from "./exitCodes";
import { repoRoot } from "../../engine/paths";
import { softwareDeviceNotice } from "./deviceNotice";

const environmentHelp = `Environment:
  BCM_HOME               BCM's state (default ~/.bcm)
  BCM_DEVICE             trezor (the default: every key comes from the Trezor) or mnemonic (the
                         software device, for tests: BCM_MNEMONIC_FILE, mode 0600)
  BCM_TREZOR_TRANSPORT   bridge (default), usb, or udp (an emulator, at BCM_TREZOR_UDP,
                         default 127.0.0.1:21324)
  BCM_TREZOR_PASSPHRASE  on-device to type the wallet passphrase on the Trezor
  BCM_PASSPHRASE         the wallet passphrase from the host (default: the standard wallet)`;

/** Builds the `bcm` command tree. Each area registers its own subcommands. */
export function buildProgram(): Command {
    const program = new Command("bcm")
        .description("Bitcoin Cache Machine: a self-hosted, Tor-routed data center for Bitcoin and Lightning")
        .version((JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version, "-V, --version")
        .showHelpAfterError("(run with --help for usage)")
        .addHelpText("after", `\n${environmentHelp}\n\n${exitCodeHelp}`)
        // Every command that runs says so when the keys are not on a Trezor.
        .hook("preAction", () => {
            const notice = softwareDeviceNotice(process.env);
            if (notice) process.stderr.write(notice + "\n");
        });
    registerInit(program);
    registerInfo(program);
    registerShow(program);
    registerCluster(program);
    registerSnapshots(program.commands.find((c) => c.name() === "cluster")!);
    registerStack(program);
    registerPulumi(program);
    registerElectrum(program);
    registerBackup(program);
    registerHealth(program);
    registerLightning(program);
    registerDevice(program);
    registerSsh(program);
    registerGpg(program);
    registerFile(program);
    registerPass(program);
    registerGit(program);
    // Every command, however deep, reports parse errors through exitOverride.
    const exitOverride = (c: Command): void => {
        c.exitOverride();
        c.commands.forEach(exitOverride);
    };
    exitOverride(program);
    return program;
}

/** Runs the CLI and exits with a documented code; errors are one line on stderr. */
export async function main(argv: string[]): Promise<void> {
    const program = buildProgram();
    process.exitCode = undefined;
    try {
        await program.parseAsync(argv, { from: "user" });
        // A command that passes on another program's exit code (bcm lncli) has set it already.
        process.exitCode ??= ExitCode.ok;
    } catch (err) {
        if (err instanceof CommanderError && (err.exitCode === 0 || err.code === "commander.helpDisplayed")) {
            process.exitCode = ExitCode.ok; // --help and --version
            return;
        }
        const { line, exitCode } = describeFailure(err);
        // commander already printed its own parse errors.
        if (!(err instanceof CommanderError)) process.stderr.write(`bcm: ${line}\n`);
        process.exitCode = exitCode;
    }
}
