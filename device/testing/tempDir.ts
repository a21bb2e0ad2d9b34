import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh 0700 directory and its removal, for one test file's throw-away state. */
export function makeTempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `bcm-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
