import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

// A bitcoind service on an internal overlay network, from the private registry, with
// limits: what a BCM tier looks like. policy/policy.it.test.ts previews it with the policy
// pack; the variant (env BCM_POLICY_TEST_VARIANT) adds one violation:
//   clean           nothing to refuse
//   rpc-published   bitcoind publishes 8332 on the host (bitcoin-rpc-never-published,
//                   no-undeclared-published-ports)
//   tcp-docker-api  a docker provider reaches a daemon on tcp:// without TLS
//                   (docker-api-needs-mutual-tls)
//   secret-env      bitcoind gets its RPC password as a Pulumi secret in an environment
//                   variable (no-plaintext-secrets: a policy cannot tell it from a literal)
//   open-network    bitcoind's network is not internal (egress-only-through-tor)
// The service attaches by network id, as the docker provider recommends: not known during
// preview, so the egress policy resolves it through the property's dependencies.
// It is only ever previewed: nothing here is created.
const variant = process.env.BCM_POLICY_TEST_VARIANT ?? "clean";

const provider = new docker.Provider("tier", {
    host: variant === "tcp-docker-api" ? "tcp://10.99.0.2:2375" : "unix:///var/run/docker.sock",
    disableDockerDaemonCheck: true,
});

const network = new docker.Network(
    "bitcoind-net",
    { name: "bitcoind-net", driver: "overlay", internal: variant !== "open-network" },
    { provider },
);

new docker.Service(
    "bitcoind",
    {
        name: "bitcoind",
        taskSpec: {
            containerSpec: {
                image: "127.0.0.1:5010/bcm/bitcoind:29.0",
                env: {
                    BITCOIN_NETWORK: "regtest",
                    ...(variant === "secret-env" ? { BITCOIN_RPC_PASSWORD: pulumi.secret("policy-test-rpc-password") } : {}),
                },
            },
            networksAdvanceds: [{ id: network.id }],
            resources: { limits: { memoryBytes: 536870912, nanoCpus: 1000000000 } },
        },
        ...(variant === "rpc-published" ? { endpointSpec: { ports: [{ targetPort: 8332, publishedPort: 8332 }] } } : {}),
    },
    { provider },
);
