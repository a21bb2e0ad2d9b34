import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as lxd from "../../components/lxd/resources";

// A resource for each plugin (random, lxd, docker, command) so that every kind of plugin
// process runs, and a command that sleeps `holdSeconds` on create (and 300 s on delete while
// the file `holdFile` exists) so the run is still going when the test kills the engine.
const config = new pulumi.Config();
const hold = config.getNumber("holdSeconds") ?? 0;
const stack = pulumi.getStack();

const secret = new random.RandomPassword("secret", { length: 16, special: false });
const profile = new lxd.Profile("profile", { name: `bcm-orphans-${stack}`, description: "test/engineOrphans.it.test.ts" });
const network = new docker.Network("network", { name: `bcm-orphans-${stack}`, driver: "bridge", labels: [{ label: "bcm.cluster", value: stack }] });
// Its delete takes its time too while the file `holdFile` exists (for a destroy killed mid-delete).
const slow = new command.local.Command(
    "slow",
    {
        create: hold > 0 ? `sleep ${hold}` : "true",
        delete: 'if [ -n "$HOLD_FILE" ] && [ -f "$HOLD_FILE" ]; then sleep 300; fi',
        environment: { SECRET: secret.result, HOLD_FILE: config.get("holdFile") ?? "" },
    },
    { dependsOn: [profile, network] },
);

export const profileName = profile.name;
export const networkName = network.name;
export const slowId = slow.id;
