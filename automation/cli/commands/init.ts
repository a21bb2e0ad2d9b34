// `bcm init`: automation/init.ts on the command line.
import { Command } from "commander";
import { initController } from "../../init";
import { bcmHome } from "../../../engine";

export function registerInit(program: Command): void {
    program
        .command("init")
        .description("set up this controller: check the device, write its GPG certificate, create the pass store, the state directory and the engine")
        .option("--user-id <user id>", 'the certificate\'s user id, e.g. "Satoshi <satoshi@controller>" (default $BCM_GPG_USER_ID)')
        .option("--curve <curve>", "nist256p1 (default) or ed25519")
        .option("--time <seconds>", "the key's creation time, unix seconds (trezor-agent's --time); default 0")
        .addHelpText("after", "\nEvery step is idempotent; a pass store made for another key is refused, never rewritten.\nFiles go to $BCM_HOME (default ~/.bcm): controller.asc, password-store/, state/, pulumi/.")
        .action(async (o: { userId?: string; curve?: string; time?: string }) => {
            const home = bcmHome();
            const say = (line: string) => process.stderr.write(line + "\n");
            for (const line of await initController(home, o, process.env, say)) console.log(line);
            console.log(`bcm is initialised in ${home}`);
        });
}
