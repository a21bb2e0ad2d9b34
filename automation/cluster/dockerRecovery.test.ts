import { containerForHost, halfMadeDocker, judgeHalfMade, parseInspect, removeHalfMadeDocker, splitProviderRef, DockerRunner } from "./dockerRecovery";

const providerUrn = "urn:pulumi:standalone::bcm-cluster::bcm:datacenter:DataCenter$bcm:gateway:GatewayTier$pulumi:providers:docker::standalone-gateway-docker";
const socketPath = "/root/.bcm/sockets/standalone/bcm-gateway-01.sock";

/** An exported deployment as a killed up leaves it: the provider and the socket recorded, two creates pending. */
function deployment(pending: { type: string; resource: Record<string, unknown> }[]) {
    return {
        resources: [
            { urn: providerUrn, type: "pulumi:providers:docker", id: "a1b2", inputs: { host: `unix://${socketPath}` }, outputs: { host: `unix://${socketPath}` } },
            {
                urn: "urn:pulumi:standalone::bcm-cluster::lxd:index:InstanceSocket::standalone-gateway-bcm-gateway-01-socket",
                type: "lxd:index:InstanceSocket",
                id: socketPath,
                inputs: { instance: "bcm-gateway-01", path: socketPath, target: "/run/docker.sock", endpoint: { url: "unix:///var/snap/lxd/common/lxd/unix.socket" } },
                outputs: { instance: "bcm-gateway-01", path: socketPath, pid: 42, running: true, endpoint: { url: "unix:///var/snap/lxd/common/lxd/unix.socket" } },
            },
            { urn: "urn:pulumi:standalone::bcm-cluster::docker:index/secret:Secret::htpasswd", type: "docker:index/secret:Secret", id: "sec-recorded", outputs: { name: "bcm-registry-htpasswd-1" } },
        ],
        pending_operations: pending,
    };
}

const creating = (type: string, name: string | undefined, provider = `${providerUrn}::a1b2`) => ({
    type: "creating",
    resource: { urn: `urn:pulumi:standalone::bcm-cluster::${type}::${name ?? "x"}`, type, inputs: name === undefined ? {} : { name }, provider },
});

describe("which Docker objects a killed run's pending creates left, and where", () => {
    it("splits a provider reference at its last ::", () => {
        expect(splitProviderRef(`${providerUrn}::a1b2`)).toEqual({ urn: providerUrn, id: "a1b2" });
    });

    it("finds the tier container behind a docker host through the InstanceSocket that serves it", () => {
        const d = deployment([]);
        expect(containerForHost(d.resources, `unix://${socketPath}`)).toEqual({ container: "bcm-gateway-01", lxdUrl: "unix:///var/snap/lxd/common/lxd/unix.socket" });
        expect(containerForHost(d.resources, "unix:///elsewhere.sock")).toBeUndefined();
        expect(containerForHost(d.resources, "tcp://10.0.0.1:2376")).toBeUndefined();
    });

    it("maps each pending docker create to its object's name and container; other types and other operations are not its business", () => {
        const d = deployment([
            creating("docker:index/service:Service", "registry"),
            creating("docker:index/secret:Secret", "bcm-onion-key-2"),
            { type: "updating", resource: creating("docker:index/service:Service", "tor").resource },
            { type: "deleting", resource: creating("docker:index/network:Network", "bcm-kafka").resource },
            creating("lxd:index:Instance", "bcm-bitcoin-01"),
            creating("command:local:Command", "kafka-image-transfer"),
        ]);
        expect(halfMadeDocker(d)).toEqual([
            { kind: "service", name: "registry", urn: expect.stringContaining("::registry"), container: "bcm-gateway-01", lxdUrl: "unix:///var/snap/lxd/common/lxd/unix.socket" },
            { kind: "secret", name: "bcm-onion-key-2", urn: expect.any(String), container: "bcm-gateway-01", lxdUrl: expect.any(String) },
        ]);
    });

    it("reads a name that is a secret (derived from one), as `stack export --show-secrets` writes it", () => {
        const secretName = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify("bcm-registry-htpasswd-3f2a") };
        const op = creating("docker:index/secret:Secret", "x");
        op.resource.inputs = { name: secretName } as never;
        expect(halfMadeDocker(deployment([op]))).toEqual([
            expect.objectContaining({ kind: "secret", name: "bcm-registry-htpasswd-3f2a", container: "bcm-gateway-01" }),
        ]);
        // Still encrypted (exported without --show-secrets): no name to look for, and it says so.
        op.resource.inputs = { name: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" } } as never;
        expect(halfMadeDocker(deployment([op]))[0]?.unknownBecause).toBe("its inputs name no object");
    });

    it("says why it cannot place one: no name, no provider host, no socket serving it", () => {
        const d = deployment([creating("docker:index/service:Service", undefined), creating("docker:index/network:Network", "n1", "urn:pulumi:s::p::pulumi:providers:docker::default::x")]);
        d.resources.push({ urn: "urn:pulumi:s::p::pulumi:providers:docker::other", type: "pulumi:providers:docker", id: "o", inputs: { host: "ssh://h" }, outputs: {} } as never);
        d.pending_operations.push(creating("docker:index/secret:Secret", "s1", "urn:pulumi:s::p::pulumi:providers:docker::other::o"));
        expect(halfMadeDocker(d).map((h) => h.unknownBecause)).toEqual([
            "its inputs name no object",
            "its docker provider names no host in the state",
            "no lxd:index:InstanceSocket in the state serves ssh://h",
        ]);
        expect(halfMadeDocker(undefined)).toEqual([]);
    });
});

describe("docker inspect, as each kind prints it", () => {
    it("reads the ID, labels and creation time of services, secrets and configs (in Spec), networks and volumes (at the top)", () => {
        const service = JSON.stringify([{ ID: "svc1", CreatedAt: "2026-12-06T18:20:01.5Z", Spec: { Name: "registry", Labels: { "bcm.cluster": "standalone" } } }]);
        expect(parseInspect("service", service)).toEqual({ id: "svc1", labels: { "bcm.cluster": "standalone" }, createdAt: "2026-12-06T18:20:01.5Z" });
        const network = JSON.stringify([{ Id: "net1", Created: "2026-12-06T18:20:01Z", Labels: { "bcm.network": "internal" } }]);
        expect(parseInspect("network", network)).toEqual({ id: "net1", labels: { "bcm.network": "internal" }, createdAt: "2026-12-06T18:20:01Z" });
        const volume = JSON.stringify([{ Name: "v1", CreatedAt: "2026-12-06T18:20:01Z", Labels: null }]);
        expect(parseInspect("volume", volume)).toEqual({ id: "v1", labels: {}, createdAt: "2026-12-06T18:20:01Z" });
        expect(parseInspect("secret", "[]")).toBeUndefined();
        expect(parseInspect("secret", "not json")).toBeUndefined();
    });
});

describe("whether a half-made Docker object is removed", () => {
    const ctx = { cluster: "standalone", recordedIds: new Set(["rec"]), lockedSince: "2026-12-06T18:17:00Z" };
    const obj = (labels: Record<string, string>, createdAt = "2026-12-06T18:20:00Z", id = "new") => ({ id, labels, createdAt });
    it("removes one with this cluster's label", () => {
        expect(judgeHalfMade("service", obj({ "bcm.cluster": "standalone" }), ctx)).toMatchObject({ action: "remove" });
        expect(judgeHalfMade("service", obj({ "bcm.cluster": "standalone" }, "2020-01-01T00:00:00Z"), { ...ctx, lockedSince: undefined })).toMatchObject({ action: "remove" });
    });
    it("never removes one the state holds, or another cluster's", () => {
        expect(judgeHalfMade("service", obj({ "bcm.cluster": "standalone" }, undefined, "rec"), ctx)).toEqual({ action: "leave", why: "the state holds it" });
        expect(judgeHalfMade("secret", obj({ "bcm.cluster": "other" }), ctx)).toEqual({ action: "leave", why: "it belongs to cluster other (label bcm.cluster)" });
    });
    it("removes an unlabelled one (made before labels) only when made after the killed run took its lock", () => {
        expect(judgeHalfMade("service", obj({}), ctx)).toMatchObject({ action: "remove", why: expect.stringContaining("after the interrupted run took its lock") });
        expect(judgeHalfMade("service", obj({}, "2026-12-06T18:16:59Z"), ctx)).toMatchObject({ action: "leave" });
        expect(judgeHalfMade("service", obj({}), { ...ctx, lockedSince: undefined })).toMatchObject({ action: "leave" });
    });
    it("removes a volume only when it is this cluster's and made by the killed run: it may hold data", () => {
        expect(judgeHalfMade("volume", obj({ "bcm.cluster": "standalone" }), ctx)).toMatchObject({ action: "remove" });
        expect(judgeHalfMade("volume", obj({ "bcm.cluster": "standalone" }, "2026-12-01T00:00:00Z"), ctx)).toMatchObject({ action: "leave" });
        expect(judgeHalfMade("volume", obj({}), ctx)).toMatchObject({ action: "leave" });
    });
});

describe("removing what a killed run half made, through the tier container", () => {
    it("inspects each object in its container, removes this cluster's (services first), leaves others, says each in one line", async () => {
        const d = deployment([creating("docker:index/secret:Secret", "s-mine"), creating("docker:index/service:Service", "registry"), creating("docker:index/network:Network", "n-theirs"), creating("docker:index/service:Service", "never-made")]);
        const calls: string[] = [];
        const run: DockerRunner = async (url, container, args) => {
            calls.push(`${container}: docker ${args.join(" ")}`);
            const [kind, verb, name] = args;
            if (verb === "rm") return { exitCode: 0, stdout: name, stderr: "" };
            if (name === "never-made") return { exitCode: 1, stdout: "[]", stderr: `Error: no such service: ${name}` };
            const labels = name === "n-theirs" ? { "bcm.cluster": "other" } : { "bcm.cluster": "standalone" };
            const top = kind === "network" ? { Id: `id-${name}`, Created: "2026-12-06T18:20:00Z", Labels: labels } : { ID: `id-${name}`, CreatedAt: "2026-12-06T18:20:00Z", Spec: { Labels: labels } };
            return { exitCode: 0, stdout: JSON.stringify([top]), stderr: "" };
        };
        const lines: string[] = [];
        const removed = await removeHalfMadeDocker(d, { cluster: "standalone", lockedSince: "2026-12-06T18:17:00Z" }, run, (l) => lines.push(l));
        expect(removed).toBe(2);
        expect(calls).toEqual([
            "bcm-gateway-01: docker service inspect registry",
            "bcm-gateway-01: docker service rm id-registry",
            "bcm-gateway-01: docker service inspect never-made",
            "bcm-gateway-01: docker secret inspect s-mine",
            "bcm-gateway-01: docker secret rm id-s-mine",
            "bcm-gateway-01: docker network inspect n-theirs",
        ]);
        expect(lines).toEqual([
            "removed docker service registry in bcm-gateway-01, half made by the interrupted run (it carries this cluster's label bcm.cluster=standalone); this run creates it again",
            "removed docker secret s-mine in bcm-gateway-01, half made by the interrupted run (it carries this cluster's label bcm.cluster=standalone); this run creates it again",
            'docker network n-theirs in bcm-gateway-01 (create interrupted) left as it is: it belongs to cluster other (label bcm.cluster); if the run fails "already exists", remove or rename it',
        ]);
    });

    it("never throws: an unreachable container or a failing dockerd is said and the run goes on", async () => {
        const d = deployment([creating("docker:index/service:Service", "registry"), creating("docker:index/secret:Secret", "s1")]);
        const run: DockerRunner = async (_u, _c, args) => {
            if (args[0] === "service") throw new Error("exec of docker in instance bcm-gateway-01: Instance is not running (400)");
            return { exitCode: 1, stdout: "", stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock\nmore" };
        };
        const lines: string[] = [];
        expect(await removeHalfMadeDocker(d, { cluster: "standalone" }, run, (l) => lines.push(l))).toBe(0);
        expect(lines).toEqual([
            "docker service registry in bcm-gateway-01: not checked: exec of docker in instance bcm-gateway-01: Instance is not running (400)",
            "docker secret s1 in bcm-gateway-01 (create interrupted): not checked: Cannot connect to the Docker daemon at unix:///var/run/docker.sock",
        ]);
    });
});
