import { isLoopbackUrl, keepFetchOnLoopback } from "./offlineFetch";

test("loopback is Trezor Bridge's home; everything else is the network", () => {
  for (const url of ["http://127.0.0.1:21325/enumerate", "http://localhost:21325/", "http://127.1.2.3/", "http://[::1]:21325/"]) expect(isLoopbackUrl(url)).toBe(true);
  for (const url of ["https://data.trezor.io/firmware/config/releases.v1.json", "http://127.0.0.1.example.com/", "not a url", "http://10.0.0.1/"]) expect(isLoopbackUrl(url)).toBe(false);
});

test("while a Trezor is open, fetch answers off-loopback requests locally with 503, and is restored after", async () => {
  const original = globalThis.fetch;
  const restore = keepFetchOnLoopback();
  try {
    const response = await fetch("https://data.trezor.io/firmware/config/releases.v1.json");
    expect([response.ok, response.status]).toEqual([false, 503]);
  } finally {
    restore();
  }
  expect(globalThis.fetch).toBe(original);
});
