/**
 * The pack's policy names: stable, because users refer to them in the policy config
 * (`relaxed`) and the engine reports them in every violation.
 */
export const mandatoryPolicyNames = [
    "no-privileged-containers",
    "docker-api-needs-mutual-tls",
    "no-undeclared-published-ports",
    "egress-only-through-tor",
    "images-from-private-registry",
    "no-plaintext-secrets",
    "bitcoin-rpc-never-published",
    "electrum-never-published",
    "mainnet-needs-hardware-device",
    "only-advisory-policies-relaxed",
] as const;

/** Advisory policies: a stack may turn these off with a recorded reason (`relaxed`). */
export const advisoryPolicyNames = ["resource-limits-set", "pinned-image-tags"] as const;

export type MandatoryPolicyName = (typeof mandatoryPolicyNames)[number];
export type AdvisoryPolicyName = (typeof advisoryPolicyNames)[number];
export type PolicyName = MandatoryPolicyName | AdvisoryPolicyName;

export const allPolicyNames: readonly PolicyName[] = [...mandatoryPolicyNames, ...advisoryPolicyNames];

export function isMandatory(name: string): name is MandatoryPolicyName {
    return (mandatoryPolicyNames as readonly string[]).includes(name);
}

export function isAdvisory(name: string): name is AdvisoryPolicyName {
    return (advisoryPolicyNames as readonly string[]).includes(name);
}
