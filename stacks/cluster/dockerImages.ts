// The Docker images the program publishes: `bcm:dockerImages`, or what images/docker/build.sh
// has built on this controller (the program runs from the repository).
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { SpecError } from "../../components/datacenter/spec";
import { repoRoot } from "../../engine/paths";

/** Image name → local tag, from the stack's `bcm:dockerImages` text or the build script. */
export function builtDockerImages(configured: string | undefined): Record<string, string> {
    if (configured !== undefined) {
        try {
            return JSON.parse(configured) as Record<string, string>;
        } catch {
            throw new SpecError("bcm:dockerImages: is not JSON; set it to {\"tor\":\"bcm/tor:…\",…} or leave it out to use images/docker/build.sh's");
        }
    }
    try {
        const out = execFileSync("bash", [path.join(repoRoot, "images", "docker", "build.sh"), "--print"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        return JSON.parse(out.trim().split("\n").pop()!) as Record<string, string>;
    } catch {
        throw new SpecError("bcm:dockerImages: not set and images/docker/build.sh has not built the images; run `bash images/docker/build.sh` (npm run setup does)");
    }
}
