import * as pulumi from "@pulumi/pulumi";
import { LxdProvider } from "./provider";

// The plugin's entry point: the engine starts bin/pulumi-resource-lxd with its own address
// and reads the port printed on stdout, which is what provider.main does. Nothing else may
// write to stdout before that line.
pulumi.provider.main(new LxdProvider(), process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`pulumi-resource-lxd: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
