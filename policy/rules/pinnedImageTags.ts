import { resourcePolicy, ResourceContext } from "../lib/define";
import { dockerTypes, imageOf } from "../lib/docker";
import { isDigest, parseImageRef } from "../lib/images";
import { Finding, subjectOf } from "../lib/report";
import { UNKNOWN } from "../lib/values";

const name = "pinned-image-tags";

/**
 * Advisory, off mainnet (mainnet stacks must pin digests: images-from-private-registry):
 * an image reference has a version tag or a digest, not `:latest` or no tag at all, so a
 * redeploy runs what was tested.
 */
export function pinnedTagFindings(ctx: ResourceContext): Finding[] {
    if (ctx.settings.chain === "mainnet") {
        return [];
    }
    const found = imageOf(ctx.type, ctx.props);
    if (!found || found.image === UNKNOWN || isDigest(found.image.trim())) {
        return [];
    }
    const ref = parseImageRef(found.image);
    if (ref.digest !== undefined || (ref.tag !== undefined && ref.tag !== "latest")) {
        return [];
    }
    return [
        {
            subject: subjectOf(ctx.type, ctx.name, ctx.props),
            problem: `uses image ${found.image} (${found.where}) ${ref.tag === "latest" ? "tagged latest" : "without a tag (latest)"}: what runs changes whenever the tag moves`,
            fix: `pin a version tag or a digest, e.g. ${found.image.replace(/:latest$/, "")}:<version>`,
        },
    ];
}

export const pinnedImageTags = resourcePolicy(
    name,
    "Advisory, off mainnet: images carry a version tag or digest, never :latest or no tag.",
    [dockerTypes.service, dockerTypes.container, dockerTypes.remoteImage],
    pinnedTagFindings,
);
