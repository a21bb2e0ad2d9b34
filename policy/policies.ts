import { Policies } from "@pulumi/policy";
import { bitcoinRpcNeverPublished } from "./rules/bitcoinRpcNeverPublished";
import { dockerApiNeedsMutualTls } from "./rules/dockerApiNeedsMutualTls";
import { electrumNeverPublished } from "./rules/electrumNeverPublished";
import { egressOnlyThroughTor } from "./rules/egressOnlyThroughTor";
import { imagesFromPrivateRegistry } from "./rules/imagesFromPrivateRegistry";
import { mainnetNeedsHardwareDevice } from "./rules/mainnetNeedsHardwareDevice";
import { noPlaintextSecrets } from "./rules/noPlaintextSecrets";
import { noPrivilegedContainers } from "./rules/noPrivilegedContainers";
import { noUndeclaredPublishedPorts } from "./rules/noUndeclaredPublishedPorts";
import { onlyAdvisoryPoliciesRelaxed } from "./rules/onlyAdvisoryPoliciesRelaxed";
import { pinnedImageTags } from "./rules/pinnedImageTags";
import { resourceLimitsSet } from "./rules/resourceLimitsSet";

/** Every policy of the pack, mandatory first (names in names.ts). */
export const policies: Policies = [
    noPrivilegedContainers,
    dockerApiNeedsMutualTls,
    noUndeclaredPublishedPorts,
    egressOnlyThroughTor,
    imagesFromPrivateRegistry,
    noPlaintextSecrets,
    bitcoinRpcNeverPublished,
    electrumNeverPublished,
    mainnetNeedsHardwareDevice,
    onlyAdvisoryPoliciesRelaxed,
    resourceLimitsSet,
    pinnedImageTags,
];

export const policyPackName = "bcm";
