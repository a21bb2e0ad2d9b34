// An Automation API script of your own: brings BCM's standalone data center up on this
// machine (the gateway tier only, Tor offline), with the same live progress, policy pack and
// device as `npm run up`, prints how to reach it, and tears it down again.
import { standaloneConfig, standaloneDestroy, standaloneUp } from "bcm/automation";
import { bcmHome } from "bcm/engine";

async function main(): Promise<void> {
    const home = bcmHome();
    const say = (line: string) => console.error(`[example] ${line}`);
    const config = standaloneConfig({ ...process.env, BCM_TIERS: "gateway", BCM_TOR_NETWORK: "offline" });
    const dc = await standaloneUp({ home, config, say });
    console.log(JSON.stringify({ up: true, containers: dc.containers, socks: dc.socks, registry: dc.registry }));
    const kept = await standaloneDestroy({ home, say });
    console.log(JSON.stringify({ destroyed: true, kept }));
}

main().catch((err: unknown) => {
    console.error(`[example] error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
