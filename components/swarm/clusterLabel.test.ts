import * as pulumi from "@pulumi/pulumi";
import { clusterLabelTransformation, withClusterLabel } from "./clusterLabel";

describe("the bcm.cluster label on a data center's Docker objects", () => {
    it("is added to the program's labels, replacing one it set, and a plain list stays plain", () => {
        expect(withClusterLabel(undefined, "c1")).toEqual([{ label: "bcm.cluster", value: "c1" }]);
        expect(withClusterLabel([{ label: "bcm.network", value: "internal" }, { label: "bcm.cluster", value: "old" }], "c1")).toEqual([
            { label: "bcm.network", value: "internal" },
            { label: "bcm.cluster", value: "c1" },
        ]);
    });

    it("is added to labels given as an output too", async () => {
        const out = withClusterLabel(pulumi.output([{ label: "a", value: "b" }]), "c1") as pulumi.Output<unknown>;
        const seen = await new Promise((resolve) => out.apply(resolve));
        expect(seen).toEqual([{ label: "a", value: "b" }, { label: "bcm.cluster", value: "c1" }]);
    });

    it("touches only Docker objects, and ignores later label changes only where the provider would replace for them", () => {
        const t = clusterLabelTransformation("c1");
        const args = (type: string) => ({ type, name: "x", props: { name: "x" }, opts: { ignoreChanges: ["options"] }, resource: undefined as never });
        expect(t(args("lxd:index:Instance"))).toBeUndefined();
        expect(t(args("docker:index/service:Service"))).toEqual({ props: { name: "x", labels: [{ label: "bcm.cluster", value: "c1" }] }, opts: { ignoreChanges: ["options"] } });
        expect(t(args("docker:index/network:Network"))?.opts.ignoreChanges).toEqual(["options", "labels"]);
        expect(t(args("docker:index/secret:Secret"))?.opts.ignoreChanges).toEqual(["options", "labels"]);
    });
});
