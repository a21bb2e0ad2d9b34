import { PolicyPack } from "@pulumi/policy";
import { policies, policyPackName } from "./policies";

// The engine runs this file (PulumiPolicy.yaml) in this directory: PolicyPack reads its
// version from ./package.json and starts the analyzer's gRPC server. Everything else
// lives in importable modules, so tests never start a server.
new PolicyPack(policyPackName, {
    description: "Bitcoin Cache Machine: privacy and key-safety rules checked before every deploy.",
    enforcementLevel: "mandatory",
    policies,
});
