import { onlyVolumes } from "./volumes";

describe("custom volume listings", () => {
    it("drops the snapshot entries LXD 5.0 lists beside the volumes (as lxc storage volume list shows them)", () => {
        const listed = [
            { name: "bcm-bitcoin-01-chain-regtest", config: { "user.bcm.cluster": "standalone" } },
            { name: "bcm-bitcoin-01-chain-regtest/bcm-pre-up-20261207T015744Z", config: { "user.bcm.cluster": "standalone" } },
            { name: "bcm-kafka-01-docker", config: {} },
        ];
        expect(onlyVolumes(listed).map((v) => v.name)).toEqual(["bcm-bitcoin-01-chain-regtest", "bcm-kafka-01-docker"]);
    });
});
