// @trezor/connect reaches for data.trezor.io on its own: the signed firmware release list
// at every start, and a firmware's release notes when its version is newer than the list
// bundled with the package. BCM's controller talks to the world through Tor only, so while
// a Trezor is open `fetch` refuses every destination but loopback (Trezor Bridge listens
// there). Connect then uses the release list bundled with it; its revision check of a
// firmware newer than that list fails, which BCM does not rely on.

/** Loopback is the only place a device transport lives (Trezor Bridge, an emulator). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Guards the global fetch until the returned function restores it. A refused request gets a
 * local 503 answer rather than a network error: Connect then clears its request timer
 * (a network error would leave a 5-second timer keeping every `bcm` command alive) and
 * falls back to its bundled data all the same.
 */
export function keepFetchOnLoopback(): () => void {
  const original = globalThis.fetch;
  const guarded: typeof fetch = (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (isLoopbackUrl(url)) return original(input, init);
    return Promise.resolve(new Response(null, { status: 503, statusText: "bcm: no network from the device layer" }));
  };
  globalThis.fetch = guarded;
  return () => {
    if (globalThis.fetch === guarded) globalThis.fetch = original;
  };
}
