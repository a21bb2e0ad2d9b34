import { resourcePolicy, ResourceContext } from "../lib/define";
import { dockerTypes, imageOf } from "../lib/docker";
import { fromRegistry, isDigest, pinnedByDigest } from "../lib/images";
import { Finding, subjectOf } from "../lib/report";
import { deferUnknown, UNKNOWN } from "../lib/values";

const name = "images-from-private-registry";

/**
 * Images only from the private registry, pinned by digest on mainnet:
 * - every service (taskSpec.containerSpec.image), container (image) and image pull
 *   (RemoteImage name) names an image `<privateRegistry>/<repository>[:tag][@digest]`
 *   (BCM pulls through its own registry, never from the internet);
 * - on a mainnet stack the reference ends in `@sha256:<64 hex>`, so what runs is exactly
 *   what was reviewed;
 * - a container may instead name a local image id `sha256:<64 hex>` (the id of a
 *   RemoteImage, which is itself checked).
 * Without privateRegistry in the settings every image is refused (fail closed).
 */
export function imageFindings(ctx: ResourceContext): Finding[] {
    const found = imageOf(ctx.type, ctx.props);
    if (!found) {
        return [];
    }
    const subject = subjectOf(ctx.type, ctx.name, ctx.props);
    const { where, image } = found;
    const registry = ctx.settings.privateRegistry;
    const mainnet = ctx.settings.chain === "mainnet";
    const example = `${registry ?? "127.0.0.1:5010"}/bcm/<name>:<version>${mainnet ? "@sha256:<digest>" : ""}`;
    if (image === UNKNOWN) {
        // A computed reference (typically a container's image id from a RemoteImage) is
        // checked during the update, before the resource is created.
        deferUnknown(where);
    }
    if (ctx.type === dockerTypes.container && isDigest(image.trim())) {
        return [];
    }
    if (!registry) {
        return [
            {
                subject,
                problem: `uses image ${image} (${where}) but the policy config names no privateRegistry, so no image can be shown to come from it`,
                fix: 'set privateRegistry in the policy config (bcm passes the cluster\'s registry, e.g. "127.0.0.1:5010")',
            },
        ];
    }
    const findings: Finding[] = [];
    if (!fromRegistry(image, registry)) {
        findings.push({
            subject,
            problem: `uses image ${image} (${where}), which does not come from the private registry ${registry}: pulling from elsewhere leaves the Tor-only network`,
            fix: `push the image to ${registry} and use ${example}`,
        });
    } else if (mainnet && !pinnedByDigest(image)) {
        findings.push({
            subject,
            problem: `uses image ${image} (${where}) without a digest on a mainnet stack: a tag can be moved to other content`,
            fix: `pin it by digest: ${example}`,
        });
    }
    return findings;
}

export const imagesFromPrivateRegistry = resourcePolicy(
    name,
    "Images only from the private registry (policy config privateRegistry), and pinned by digest (@sha256:...) on mainnet stacks.",
    [dockerTypes.service, dockerTypes.container, dockerTypes.remoteImage],
    imageFindings,
);
