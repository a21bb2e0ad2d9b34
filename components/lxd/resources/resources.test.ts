import * as pulumi from "@pulumi/pulumi";
import { handlers } from "../provider/provider";
import { Exec, Image, Instance, InstanceSocket, Network, NetworkAcl, Profile, StaticAddress, StoragePool, StorageVolume } from "./index";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                return { id: `${args.name}-id`, state: { ...args.inputs, status: "Running" } };
            },
            call: () => ({}),
        },
        "bcm",
        "dev",
        false,
    );
});

describe("resource classes", () => {
    it("register the type tokens the provider serves, with their inputs", async () => {
        const endpoint = { url: "https://10.0.0.5:8443", clientKey: pulumi.secret("k") };
        const web = new Instance("web", { image: "bcm-base", config: { "limits.cpu": "2" }, endpoint });
        new Profile("p", { config: { "user.a": "1" } });
        new Network("n", { name: "bcmbr0" });
        new NetworkAcl("acl", { name: "bcm-tiers", egress: [{ action: "allow", destination: "10.0.0.2-10.0.0.255" }] });
        new StoragePool("s", { name: "pool", driver: "btrfs" });
        new Image("i", { metadataPath: "/m", rootfsPath: "/r", aliases: ["bcm-base"] });
        const volume = new StorageVolume("v", { pool: "default", name: "docker" });
        // Registered once the instance's name is known.
        const exec = new Exec("x", { instance: web.name, create: ["sh", "-c", "echo hi"], environment: { TOKEN: pulumi.secret("t") }, triggers: [volume.name] });
        const socket = new InstanceSocket("sock", { instance: web.name, path: "/root/.bcm/sockets/c/web.sock" });
        const address = new StaticAddress("a", { instance: "web", profiles: ["default"] });
        await new Promise<void>((resolve) => pulumi.all([web.status, exec.instance, socket.path, address.instance]).apply(() => resolve()));

        expect(registered.map((r) => r.type).sort()).toEqual(Object.keys(handlers).sort());
        expect(registered.find((r) => r.name === "web")?.inputs).toMatchObject({ image: "bcm-base", config: { "limits.cpu": "2" } });
        expect(registered.find((r) => r.name === "x")?.inputs).toMatchObject({ create: ["sh", "-c", "echo hi"], triggers: ["docker"] });
        await new Promise<void>((resolve) =>
            pulumi.all([web.status, web.image]).apply(([status, image]) => {
                expect(status).toBe("Running");
                expect(image).toBe("bcm-base");
                resolve();
            }),
        );
    });

    it("make every output an Output, also those whose input the program left out", () => {
        const isOutput = (v: unknown) => pulumi.Output.isInstance(v);
        const instance = new Instance("bare-i", { image: "bcm-base" });
        const profile = new Profile("bare-p");
        const pool = new StoragePool("bare-s", { name: "pool" });
        const volume = new StorageVolume("bare-v", { pool: "default", name: "docker" });
        const exec = new Exec("bare-x", { instance: "web", create: ["true"] });
        for (const v of [instance.config, instance.devices, instance.description, profile.name, profile.config, pool.driver, pool.config]) {
            expect(isOutput(v)).toBe(true);
        }
        for (const v of [volume.contentType, volume.description, volume.config, volume.usedBy, volume.endpoint]) {
            expect(isOutput(v)).toBe(true);
        }
        for (const v of [exec.delete, exec.environment, exec.triggers, exec.timeoutSeconds, exec.stdout, exec.stderr, exec.instanceUuid, exec.endpoint]) {
            expect(isOutput(v)).toBe(true);
        }
    });
});
