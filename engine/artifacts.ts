// The project's built artifacts, found by asking their build scripts (`--print` never builds):
// the system-container images (images/build.sh) and the Docker images (images/docker/build.sh).
// `npm run setup` builds both; programs and the CLI only look them up.
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "./paths";

/** The two tarballs of a split LXD image. */
export interface SystemImage {
    metadataPath: string;
    rootfsPath: string;
}

/** The system-container images every endpoint imports. */
export const systemImageNames = ["bcm-base", "bcm-template"] as const;

/** The built system-container images; an error naming the build command when one is missing. */
export function builtSystemImages(): Record<(typeof systemImageNames)[number], SystemImage> {
    return Object.fromEntries(
        systemImageNames.map((n) => {
            let dir: string;
            try {
                const out = execFileSync("bash", [path.join(repoRoot, "images", "build.sh"), "--print", n], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
                dir = out.trim().split("\n").pop() ?? "";
            } catch {
                dir = "";
            }
            if (dir === "") throw new Error(`image ${n} is not built; fix: run \`bash images/build.sh ${systemImageNames.join(" ")}\` (npm run setup does; about 10 minutes the first time)`);
            return [n, { metadataPath: path.join(dir, "metadata.tar.gz"), rootfsPath: path.join(dir, "rootfs.tar.gz") }];
        }),
    ) as Record<(typeof systemImageNames)[number], SystemImage>;
}

/** Docker image name → local tag: `configured` (the stack's `bcm:dockerImages` text) or what images/docker/build.sh has built. */
export function builtDockerImages(configured?: string): Record<string, string> {
    if (configured !== undefined) {
        try {
            return JSON.parse(configured) as Record<string, string>;
        } catch {
            throw new Error("bcm:dockerImages: is not JSON; set it to {\"tor\":\"bcm/tor:…\",…} or leave it out to use images/docker/build.sh's");
        }
    }
    // The last line is the JSON of the images that are built; the script exits 1 when some
    // are not, which only matters if the stack needs them (resolveImages names those).
    const r = spawnSync("bash", [path.join(repoRoot, "images", "docker", "build.sh"), "--print"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    try {
        return JSON.parse((r.stdout ?? "").trim().split("\n").pop()!) as Record<string, string>;
    } catch {
        throw new Error("bcm:dockerImages: not set and images/docker/build.sh has not built the images; run `bash images/docker/build.sh` (npm run setup does)");
    }
}
