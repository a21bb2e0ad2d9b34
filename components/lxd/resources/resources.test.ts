import * as pulumi from "@pulumi/pulumi";
import { handlers } from "../provider/provider";
import { Image, Instance, Network, Profile, StoragePool } from "./index";

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
        new StoragePool("s", { name: "pool", driver: "btrfs" });
        new Image("i", { metadataPath: "/m", rootfsPath: "/r", aliases: ["bcm-base"] });
        await new Promise<void>((resolve) => web.status.apply(() => resolve()));

        expect(registered.map((r) => r.type).sort()).toEqual(Object.keys(handlers).sort());
        expect(registered.find((r) => r.name === "web")?.inputs).toMatchObject({ image: "bcm-base", config: { "limits.cpu": "2" } });
        await new Promise<void>((resolve) =>
            pulumi.all([web.status, web.image]).apply(([status, image]) => {
                expect(status).toBe("Running");
                expect(image).toBe("bcm-base");
                resolve();
            }),
        );
    });
});
