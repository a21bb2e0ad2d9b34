import * as pulumi from "@pulumi/pulumi";
import { noPrivilegedContainers } from "../../policy/rules/noPrivilegedContainers";
import { computed, messages, runResourcePolicy } from "../../policy/testing/harness";
import { regtest } from "../../policy/testing/fixtures";
import { plain } from "../testing/mocks";
import { SystemContainerTier } from "./systemContainerTier";

// A fresh stack's preview: nothing exists, so every output of a resource not made yet (the
// gateway's StaticAddress among them) is unknown. The policy pack refuses an instance device
// whose type is unknown then, so the NIC the held address goes into must keep a literal type.
const registered: { type: string; inputs: Record<string, any> }[] = [];
/** Inputs as the engine hands them to the policy pack: the mocks' unknown marker as the engine's sentinel. */
const engineForm = (v: any): any =>
    v && typeof v === "object" ? (v.__pulumiUnknown === true ? computed : Array.isArray(v) ? v.map(engineForm) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, engineForm(x)]))) : v;
beforeAll(() =>
    pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, inputs: engineForm(plain(args.inputs)) });
                // As the engine's preview of a create: the inputs come back, what the provider computes (a held address) does not.
                return { id: undefined as unknown as string, state: args.inputs };
            },
            call: () => ({}),
        },
        "bcm",
        "dev",
        true, // a preview
    ),
);

it("gives the swarm's first manager a NIC whose type is known before anything exists, so the policy pack lets the preview through", async () => {
    const tier = new SystemContainerTier("t", {
        tier: "gateway",
        cluster: "c",
        members: [{ containerName: "bcm-gateway-01", endpoint: {}, image: "fp", profiles: ["default"], swarmRole: "manager" }],
        swarm: { start: true },
        dockerSocketDir: "/tmp/bcm-preview-test",
    });
    await new Promise<void>((ok) => tier.urn.apply(() => ok()));
    await new Promise((ok) => setTimeout(ok, 50));
    const instance = registered.find((r) => r.type === "lxd:index:Instance")!;
    expect(instance.inputs.devices.eth0).toMatchObject({ type: "nic", name: "eth0" });
    // The held address itself is still unknown here, as in the engine's preview.
    expect(instance.inputs.devices.eth0["ipv4.address"]).toBe(computed);
    const verdict = await runResourcePolicy(noPrivilegedContainers, { type: "lxd:index:Instance", name: "t-bcm-gateway-01-container", props: instance.inputs }, regtest);
    expect(messages(verdict)).toEqual([]);
});
