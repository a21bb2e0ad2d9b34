import { readKafkaSettings } from "./settings";

describe("readKafkaSettings", () => {
    const read = (raw: unknown) => {
        const problems: string[] = [];
        return { settings: readKafkaSettings(raw, problems), problems };
    };

    it("takes topics, heapMiB and an odd controller quorum", () => {
        expect(read({ topics: [{ name: "blocks", partitions: 3 }], heapMiB: 256, controllers: 3 })).toEqual({
            settings: { topics: [{ name: "blocks", partitions: 3 }], heapMiB: 256, controllers: 3 },
            problems: [],
        });
        expect(read(undefined)).toEqual({ settings: { topics: [] }, problems: [] });
    });

    it("names each wrong key and its fix", () => {
        expect(read({ controllers: 2, heapMiB: 64, zookeeper: true }).problems).toEqual([
            "bcm:kafka.controllers: 2 must be 1, 3 or 5 (an odd quorum; the default is the largest odd number at most min(5, containers))",
            "bcm:kafka.heapMiB: 64 must be a whole number of MiB, at least 128",
            "bcm:kafka.zookeeper: unknown key; use topics, heapMiB, controllers or apps",
        ]);
    });
});
