// Reading a tier's data out of its system container and putting it back: the services that
// write it paused (scaled to 0, and back to what they had), a tar made or unpacked inside the
// container through the LXD API of the endpoint that holds it, moved as a file (LXD's exec
// has no stdin here) into a root-only path and deleted at once.
import { randomBytes } from "node:crypto";
import { execa } from "execa";
import { deleteFile, exec, pullFile, pushFile } from "../../components/lxd/client";
import type { LxdClient } from "../../components/lxd/client";
import { ItemPart, tarCommand, untarCommand } from "./plan";

/** Runs `docker` against the swarm's manager socket. */
async function docker(host: string, args: string[]): Promise<string> {
    const r = await execa("docker", ["-H", host, ...args], { reject: false, stdin: "ignore", timeout: 300_000 });
    if (r.exitCode !== 0) throw new Error(`docker ${args.slice(0, 3).join(" ")}: ${(r.stderr.trim() || r.stdout.trim()).split("\n")[0]}`);
    return r.stdout.trim();
}

/**
 * Runs `work` with the services scaled to 0 (in order), then scales each back to the replicas
 * it had (in reverse order), whatever `work` did.
 */
export async function withServicesPaused<T>(dockerHost: string, services: string[], say: (line: string) => void, work: () => Promise<T>): Promise<T> {
    const paused: { service: string; replicas: string }[] = [];
    try {
        for (const s of services) {
            const replicas = await docker(dockerHost, ["service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", s]);
            say(`pausing ${s} (${replicas} → 0)`);
            paused.push({ service: s, replicas });
            await docker(dockerHost, ["service", "scale", "--detach=false", `${s}=0`]);
        }
        return await work();
    } finally {
        for (const p of paused.reverse()) {
            say(`resuming ${p.service} (0 → ${p.replicas})`);
            await docker(dockerHost, ["service", "scale", "--detach=false", `${p.service}=${p.replicas}`]);
        }
    }
}

/** The tar of a part, read from its container. */
export async function readItem(client: LxdClient, item: ItemPart): Promise<Buffer> {
    const file = `/root/.bcm-backup-${randomBytes(6).toString("hex")}.tar`;
    try {
        const r = await exec(client, item.instance, tarCommand(item, file), { timeoutSeconds: 1800 });
        if (r.exitCode !== 0) throw new Error(`${item.instance}: tar of ${item.dir} failed: ${(r.stderr.trim() || r.stdout.trim()).split("\n")[0]}`);
        return (await pullFile(client, item.instance, file)).content;
    } finally {
        await deleteFile(client, item.instance, file).catch(() => undefined);
    }
}

/** Puts a part's tar back in its container, replacing what its entries hold now. */
export async function writeItem(client: LxdClient, item: ItemPart, tar: Uint8Array): Promise<void> {
    const file = `/root/.bcm-restore-${randomBytes(6).toString("hex")}.tar`;
    try {
        await pushFile(client, item.instance, file, Buffer.from(tar), { mode: 0o600 });
        const r = await exec(client, item.instance, untarCommand(item, file), { timeoutSeconds: 1800 });
        if (r.exitCode !== 0) throw new Error(`${item.instance}: unpacking into ${item.dir} failed: ${(r.stderr.trim() || r.stdout.trim()).split("\n")[0]}`);
    } finally {
        await deleteFile(client, item.instance, file).catch(() => undefined);
    }
}
