// A throw-away GnuPG home for interop tests: real gpg, its own keyring and agent,
// removed (agent included) afterwards.
import { execa } from "execa";
import { makeTempDir } from "./tempDir";

export interface GnupgHome {
  readonly path: string;
  /** gpg in this home, non-interactive; resolves with the result even on failure. */
  gpg(args: string[], input?: string | Uint8Array): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Exact fingerprints of the keys in this keyring (primary and subkeys), in order. */
  fingerprints(): Promise<string[]>;
  remove(): Promise<void>;
}

export function makeGnupgHome(): GnupgHome {
  const dir = makeTempDir("gnupg");
  const gpg = async (args: string[], input?: string | Uint8Array) => {
    const r = await execa("gpg", ["--homedir", dir.path, "--batch", "--no-tty", "--trust-model", "always", ...args], {
      input: input === undefined ? undefined : typeof input === "string" ? input : Buffer.from(input),
      reject: false,
      stripFinalNewline: false,
    });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  return {
    path: dir.path,
    gpg,
    fingerprints: async () => {
      const { stdout } = await gpg(["--with-colons", "--fingerprint", "--fingerprint", "--list-keys"]);
      return stdout.split("\n").filter((l) => l.startsWith("fpr:")).map((l) => l.split(":")[9]);
    },
    remove: async () => {
      await execa("gpgconf", ["--homedir", dir.path, "--kill", "gpg-agent"], { reject: false });
      dir.remove();
    },
  };
}
