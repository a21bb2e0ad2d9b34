// `bcm lightning seed`: the node's 24 aezeed words and birthday, for a paper backup. lnd's own
// code makes them (bcm-lnd-seed in the lnd image, on the controller's dockerd, without a
// network); the device's secret reaches it on stdin only, and the words come back on stdout
// to be printed once: never a log, a file, an argument or the environment.
import { execa } from "execa";
import { Chain } from "../../components/bitcoin/chains";
import { bytesToHex } from "../../device/bytes";
import { builtDockerImages } from "../../engine";
import { CliError } from "../cli/errors";
import { ClusterContext } from "../cluster/workspace";
import { readCluster } from "./deployed";
import { askLndSecret } from "./deviceSecret";

export interface LightningSeed {
    words: string[];
    birthday: string;
    birthdayDays: number;
    chain: Chain;
}

/** The lnd image the data center runs, which carries bcm-lnd-seed. */
export function lndImage(): string {
    const image = builtDockerImages().lnd;
    if (!image) throw new CliError("the lnd image is not built on this controller; fix: run `bash images/docker/build.sh` (npm run setup does)");
    return image;
}

/** Runs bcm-lnd-seed with the secret and birthday on stdin; only the words and day count are kept. */
export async function seedWords(secret: Uint8Array, birthday: string, image: string = lndImage()): Promise<{ words: string[]; birthdayDays: number }> {
    const r = await execa("docker", ["run", "--rm", "-i", "--network", "none", "--log-driver", "none", "--entrypoint", "bcm-lnd-seed", image], {
        input: JSON.stringify({ secret: bytesToHex(secret), birthday }),
        reject: false,
    });
    if (r.exitCode !== 0) throw new CliError(`bcm-lnd-seed failed: ${r.stderr.trim().split("\n").pop() ?? `exit ${r.exitCode}`}`);
    const out = JSON.parse(r.stdout) as { words?: string[]; birthdayDays?: number };
    if (!Array.isArray(out.words) || out.words.length !== 24 || typeof out.birthdayDays !== "number") throw new CliError("bcm-lnd-seed printed no 24 words; fix: rebuild the lnd image (bash images/docker/build.sh)");
    return { words: out.words, birthdayDays: out.birthdayDays };
}

export async function lightningSeed(cluster: string, ctx: ClusterContext): Promise<LightningSeed> {
    const { chain, birthday } = await readCluster(cluster, ctx);
    if (!birthday) throw new CliError(`cluster ${cluster} has no Lightning wallet yet (no bcm:bitcoin.lndBirthday); fix: deploy the bitcoin tier first (\`bcm stack deploy bitcoin --cluster ${cluster}\`)`);
    const image = lndImage();
    const secret = await askLndSecret(ctx, cluster, chain);
    return { ...(await seedWords(secret, birthday, image)), birthday, chain };
}
