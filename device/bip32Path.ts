// BIP-32 paths as text ("m/44'/0'/0") and as the uint32 lists the firmware takes.

export const HARDENED = 0x80000000;

const MAX_UINT32 = 0xffffffff;

/**
 * Parses `m/0'/1/2h`. A component is hardened with `'`, `h` or `H`; a bare number of
 * 2^31 or more is taken as already hardened, so paths printed by the firmware tests
 * (`m/2147483661/...`) parse as well.
 */
export function parseBip32Path(text: string): number[] {
  const parts = text.trim().split("/");
  if (parts[0] === "m" || parts[0] === "M") parts.shift();
  if (parts.length === 1 && parts[0] === "") return [];
  return parts.map((part) => {
    const match = /^(\d+)(['hH]?)$/.exec(part);
    if (!match) throw new Error(`not a BIP-32 path component: ${JSON.stringify(part)}`);
    const value = Number(match[1]);
    if (match[2]) {
      if (value >= HARDENED) throw new Error(`hardened component out of range: ${part}`);
      return (value | HARDENED) >>> 0;
    }
    if (!Number.isSafeInteger(value) || value > MAX_UINT32) throw new Error(`component out of range: ${part}`);
    return value;
  });
}

export function formatBip32Path(path: readonly number[]): string {
  return ["m", ...path.map((i) => (i >= HARDENED ? `${i - HARDENED}'` : String(i)))].join("/");
}

export function isHardened(index: number): boolean {
  return index >= HARDENED;
}
