// `bcm electrum connect`: what a wallet needs to reach a cluster's Electrum server through
// its onion service (automation/cluster/electrum.ts).
import { Command, Option } from "commander";
import { checkClusterName } from "../../../components/datacenter/spec";
import { connectElectrum, describeConnection } from "../../cluster/electrum";
import { usage, withContext } from "./cluster";

export function registerElectrum(program: Command): void {
    const electrum = program
        .command("electrum")
        .description("the Electrum server of a cluster's bitcoin tier, for wallets (Sparrow, Electrum, BDK, Tor Browser) through Tor");

    electrum
        .command("connect")
        .description("print the server's onion address, port and the controller's client key, and write the key for Tor's ClientOnionAuthDir")
        .addOption(new Option("--cluster <name>", "the cluster (see `bcm cluster list`)").makeOptionMandatory())
        .option("--json", "print JSON: onion, port, url, clientAuthLine, clientKey, authFile, …")
        .addHelpText(
            "after",
            "\nThe server listens only on the bitcoin tier's overlay; the gateway's Tor publishes it as an onion\n" +
                "service that answers only holders of a client key. The key is written to\n" +
                "$BCM_HOME/onion-auth/<cluster>/<service>-controller.auth_private (mode 0600), one line:\n" +
                "<onion-without-.onion>:descriptor:x25519:<key>. A Tor of your own reads it from the directory its\n" +
                "ClientOnionAuthDir names; Tor Browser asks for <key> alone.\n" +
                "Exit 1 with the fix when the cluster has no bitcoin tier or runs no Electrum server (bcm:bitcoin.electrum false).",
        )
        .action(async (o: { cluster: string; json?: boolean }) => {
            usage(() => checkClusterName(o.cluster));
            const c = await withContext((ctx) => connectElectrum(o.cluster, ctx));
            if (o.json) return console.log(JSON.stringify(c, null, 2));
            for (const line of describeConnection(c)) console.log(line);
        });
}
