import * as pulumi from "@pulumi/pulumi";
import { engineAddressOf, watchEngine } from "./engineWatch";
import { LxdProvider } from "./provider";

// The plugin's entry point: the engine starts bin/pulumi-resource-lxd with its own address
// and reads the port printed on stdout, which is what provider.main does. Nothing else may
// write to stdout before that line.
const args = process.argv.slice(2);
pulumi.provider.main(new LxdProvider(), args).catch((err: unknown) => {
    process.stderr.write(`pulumi-resource-lxd: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
// A killed engine tells no plugin: exit when its address stops answering (engineWatch.ts).
const engine = engineAddressOf(args);
watchEngine(engine, () => {
    process.stderr.write(`pulumi-resource-lxd: the engine at ${engine} is gone; exiting\n`);
    process.exit(1);
});
