import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../../engine/paths";

/** A bootable split image for the tests, and a second one that differs only in its metadata. */
export interface TestImage {
    metadataPath: string;
    rootfsPath: string;
    /** Same rootfs, another creation date: another fingerprint, for "the image changed" tests. */
    otherMetadataPath: string;
    /** Where it came from, for the test log. */
    source: string;
}

function cacheDir(): string {
    return path.join(process.env.BCM_CACHE_DIR || path.join(os.homedir(), ".cache", "bcm"), "test-images");
}

/**
 * The image the integration tests boot: bcm-base when images/build.sh has it built
 * (no second build of a Debian root), otherwise the tiny image of buildTestImage.sh,
 * built once and cached. Both configure eth0 by DHCP, which waitForAddress needs.
 */
export function testImage(): TestImage {
    const base = builtImage("bcm-base") ?? recipeImage();
    return { ...base, otherMetadataPath: otherMetadata(base.metadataPath) };
}

/** A split image of images/build.sh, if it is built for the current recipe. */
function builtImage(name: string): Omit<TestImage, "otherMetadataPath"> | undefined {
    const build = path.join(repoRoot, "images", "build.sh");
    if (!fs.existsSync(build)) {
        return undefined;
    }
    let dir: string;
    try {
        dir = execFileSync("bash", [build, "--print", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
            .trim()
            .split("\n")
            .pop()!;
    } catch {
        return undefined; // not built for the current recipe
    }
    const metadataPath = path.join(dir, "metadata.tar.gz");
    const rootfsPath = path.join(dir, "rootfs.tar.gz");
    if (!fs.existsSync(metadataPath) || !fs.existsSync(rootfsPath)) {
        return undefined;
    }
    return { metadataPath, rootfsPath, source: `images/build.sh ${name} (${dir})` };
}

/**
 * bcm-template (bcm-base plus dockerd), for tests that need Docker inside a container.
 * There is no small stand-in for it: when the current recipe is not built yet it is built
 * here (root, debootstrap and Debian's mirror; about a minute when bcm-base is cached).
 */
export function templateImage(): Omit<TestImage, "otherMetadataPath"> {
    const built = builtImage("bcm-template");
    if (built) {
        return built;
    }
    execFileSync("bash", [path.join(repoRoot, "images", "build.sh"), "bcm-template"], { stdio: ["ignore", process.stderr, "inherit"] });
    const fresh = builtImage("bcm-template");
    if (!fresh) {
        throw new Error("images/build.sh bcm-template finished, but `images/build.sh --print bcm-template` does not find the image");
    }
    return fresh;
}

function recipeImage(): Omit<TestImage, "otherMetadataPath"> {
    const dir = execFileSync("bash", [path.join(__dirname, "buildTestImage.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    }).trim();
    return { metadataPath: path.join(dir, "metadata.tar.gz"), rootfsPath: path.join(dir, "rootfs.tar.gz"), source: `test recipe (${dir})` };
}

/**
 * The metadata tarball with its creation date moved by a second: LXD then sees a
 * different image (the fingerprint covers the metadata) that boots the same rootfs.
 * Cached beside the test images, keyed by the original's hash.
 */
function otherMetadata(metadataPath: string): string {
    const key = crypto.createHash("sha256").update(fs.readFileSync(metadataPath)).digest("hex").slice(0, 12);
    const out = path.join(cacheDir(), `other-metadata-${key}.tar.gz`);
    if (fs.existsSync(out)) {
        return out;
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-other-metadata-"));
    try {
        execFileSync("tar", ["-C", work, "-xzf", metadataPath]);
        const yamlPath = path.join(work, "metadata.yaml");
        const yaml = fs.readFileSync(yamlPath, "utf8");
        const moved = yaml.replace(/^creation_date: (\d+)/m, (_m, d: string) => `creation_date: ${Number(d) + 1}`);
        if (moved === yaml) {
            throw new Error(`${metadataPath}: metadata.yaml has no creation_date to change`);
        }
        fs.writeFileSync(yamlPath, moved);
        fs.mkdirSync(cacheDir(), { recursive: true });
        execFileSync("bash", ["-c", `tar -C "$1" --sort=name --owner=0 --group=0 -cf - . | gzip -n > "$2.tmp" && mv "$2.tmp" "$2"`, "_", work, out]);
        return out;
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}
