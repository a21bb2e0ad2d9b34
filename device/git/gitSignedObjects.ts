// Signed git commits and tags made with the device's GPG key, without gpg: the objects
// are built with git plumbing exactly as `git commit -S` / `git tag -s` build them (the
// signature over the unsigned object; a `gpgsig` header for commits, the signature
// appended to the message for tags), so `git verify-commit` / `verify-tag` accept them.
import { execa } from "execa";
import { Device } from "../device";
import { GpgKey } from "../gpg/gpgPublicKey";
import { signDetached } from "../gpg/gpgSign";

export interface SigningContext {
  device: Device;
  key: GpgKey;
  /** Signature time (unix seconds); default now. */
  time?: number;
}

async function git(repo: string, args: string[], input?: string): Promise<string> {
  const { stdout } = await execa("git", ["-C", repo, ...args], { input });
  return stdout.trim();
}

async function gitOptional(repo: string, args: string[]): Promise<string | undefined> {
  const r = await execa("git", ["-C", repo, ...args], { reject: false });
  return r.exitCode === 0 ? String(r.stdout).trim() : undefined;
}

/** git's own message cleanup for `-m`: no trailing whitespace on lines, one final newline. */
export function cleanMessage(message: string): string {
  const lines = message.split("\n").map((l) => l.replace(/\s+$/, ""));
  while (lines.length && lines[0] === "") lines.shift();
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw new Error("empty commit or tag message");
  return lines.join("\n") + "\n";
}

/** The `gpgsig` header: the armored signature with every continuation line indented by one space. */
export function gpgsigHeader(armoredSignature: string): string {
  const lines = armoredSignature.replace(/\n$/, "").split("\n");
  return "gpgsig " + lines.join("\n ") + "\n";
}

/** Commits the index to HEAD (like `git commit -S -m`), returns the new commit id. */
export async function signedCommit(repo: string, message: string, signing: SigningContext): Promise<string> {
  const tree = await git(repo, ["write-tree"]);
  const parent = await gitOptional(repo, ["rev-parse", "--verify", "-q", "HEAD^{commit}"]);
  if (parent && (await git(repo, ["rev-parse", `${parent}^{tree}`])) === tree) {
    throw new Error("nothing to commit (the index matches HEAD)");
  }
  const headers =
    `tree ${tree}\n` +
    (parent ? `parent ${parent}\n` : "") +
    `author ${await git(repo, ["var", "GIT_AUTHOR_IDENT"])}\n` +
    `committer ${await git(repo, ["var", "GIT_COMMITTER_IDENT"])}\n`;
  const body = "\n" + cleanMessage(message);
  const signature = await signDetached(signing.device, signing.key, headers + body, { time: signing.time });
  const commit = await git(repo, ["hash-object", "-t", "commit", "-w", "--stdin"], headers + gpgsigHeader(signature) + body);
  const subject = cleanMessage(message).split("\n")[0];
  // The old value makes the update fail if HEAD moved meanwhile ("" = must not exist yet).
  await git(repo, ["update-ref", "-m", `commit: ${subject}`, "HEAD", commit, parent ?? ""]);
  return commit;
}

/** Creates the annotated, signed tag `name` on `target` (like `git tag -s -m`), returns the tag object id. */
export async function signedTag(repo: string, name: string, message: string, signing: SigningContext, target = "HEAD"): Promise<string> {
  if ((await gitOptional(repo, ["check-ref-format", `refs/tags/${name}`])) === undefined) {
    throw new Error(`not a valid tag name: ${JSON.stringify(name)}`);
  }
  const object = await git(repo, ["rev-parse", "--verify", `${target}^{object}`]);
  const type = await git(repo, ["cat-file", "-t", object]);
  const unsigned =
    `object ${object}\ntype ${type}\ntag ${name}\ntagger ${await git(repo, ["var", "GIT_COMMITTER_IDENT"])}\n\n` + cleanMessage(message);
  const signature = await signDetached(signing.device, signing.key, unsigned, { time: signing.time });
  const tag = await git(repo, ["mktag"], unsigned + signature);
  await git(repo, ["update-ref", `refs/tags/${name}`, tag, ""]); // "": the tag must not exist yet
  return tag;
}
