import { DockerRunner, StoredResource } from "./dockerRecovery";
import { explainUnconverged, managerContainer, taskFormat, taskSummary, unconvergedServices } from "./serviceDiagnosis";

const failure =
    "error: kafka-controller-1: sdk-v2/provider2.go:571: sdk.helper_schema: Service with ID (gl61v5r4r0v9tlde5m8c6y37q) did not converge after 5m0s: provider=docker@5.0.0\n" +
    "error: kafka-controller-1: 1 error occurred:\n\t* Service with ID (gl61v5r4r0v9tlde5m8c6y37q) did not converge after 5m0s";
const socket: StoredResource = {
    urn: "urn:pulumi:standalone::bcm-cluster::lxd:index:InstanceSocket::standalone-gateway-tier-bcm-gateway-01-socket",
    type: "lxd:index:InstanceSocket",
    id: "/root/.bcm/sockets/standalone/bcm-gateway-01.sock",
    inputs: { instance: "bcm-gateway-01", path: "/root/.bcm/sockets/standalone/bcm-gateway-01.sock", endpoint: { url: "unix:///var/lib/lxd/unix.socket" } },
};

describe("a service that did not converge", () => {
    it("is named by the engine's failure, each once", () => {
        expect(unconvergedServices(failure)).toEqual(["gl61v5r4r0v9tlde5m8c6y37q"]);
        expect(unconvergedServices("error: instance bcm-kafka-01 already exists")).toEqual([]);
    });

    it("is explained by its newest task and the distinct errors of the last five", () => {
        const ps = [
            "kafka-controller-1.1\tbcm-kafka-01\tRejected 4 seconds ago\tNo such image: 127.0.0.1:5010/bcm/kafka@sha256:ab",
            " \\_ kafka-controller-1.1\tbcm-kafka-01\tRejected 20 seconds ago\tNo such image: 127.0.0.1:5010/bcm/kafka@sha256:ab",
            " \\_ kafka-controller-1.1\tbcm-kafka-01\tFailed 1 minute ago\ttask: non-zero exit (1)",
            "",
        ].join("\n");
        expect(taskSummary(ps)).toBe(
            "kafka-controller-1.1 on bcm-kafka-01: Rejected 4 seconds ago; its tasks' errors: No such image: 127.0.0.1:5010/bcm/kafka@sha256:ab; task: non-zero exit (1)",
        );
        expect(taskSummary("kafka-1.1\t\tPending 5 minutes ago\t\n")).toBe("kafka-1.1 on no node: Pending 5 minutes ago");
        expect(taskSummary("")).toMatch(/^no task was ever made/);
    });

    it("is read in the swarm manager's container, the one the operator's socket serves", async () => {
        expect(managerContainer([socket])).toEqual({ container: "bcm-gateway-01", lxdUrl: "unix:///var/lib/lxd/unix.socket" });
        const calls: string[][] = [];
        const run: DockerRunner = async (lxdUrl, container, args) => {
            calls.push([lxdUrl ?? "", container, ...args]);
            return { exitCode: 0, stdout: "kafka-controller-1.1\tbcm-kafka-01\tStarting 5 minutes ago\t\n", stderr: "" };
        };
        expect(await explainUnconverged(failure, [socket], run)).toBe("; service gl61v5r4r0v9tlde5m8c6y37q: kafka-controller-1.1 on bcm-kafka-01: Starting 5 minutes ago");
        expect(calls).toEqual([["unix:///var/lib/lxd/unix.socket", "bcm-gateway-01", "service", "ps", "--no-trunc", "--format", taskFormat, "gl61v5r4r0v9tlde5m8c6y37q"]]);
    });

    it("adds nothing when the manager cannot be asked or answers nothing useful: the engine's words stand", async () => {
        const failing: DockerRunner = async () => {
            throw new Error("instance bcm-gateway-01 not found");
        };
        const refused: DockerRunner = async () => ({ exitCode: 1, stdout: "", stderr: "no such service" });
        expect(await explainUnconverged(failure, [socket], failing)).toBe("");
        expect(await explainUnconverged(failure, [socket], refused)).toBe("");
        expect(await explainUnconverged(failure, [], refused)).toBe("");
        expect(await explainUnconverged("error: something else", [socket], refused)).toBe("");
    });
});
