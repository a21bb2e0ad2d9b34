// Interop with real GnuPG: it imports our public keys (same fingerprints as
// trezor-agent's), verifies our signatures, decrypts our files with the software
// device's secret exported to a throw-away home, and encrypts files we decrypt.
import { utf8 } from "../bytes";
import { MnemonicDevice } from "../mnemonicDevice";
import { GnupgHome, makeGnupgHome } from "../testing/gnupgHome";
import { gpgIdentity } from "./gpgIdentity";
import { gpgPublicKey } from "./gpgPublicKey";
import { exportGpgSecretKey } from "./gpgSecretKey";
import { signDetached } from "./gpgSign";
import { encryptTo } from "./gpgEncrypt";
import { decryptWithDevice } from "./gpgDecrypt";
import { verifyDetached } from "./gpgVerify";
import { hexUpper } from "./gpgKeyPacket";
import { fingerprint } from "./gpgPublicKey";
import vectors from "./vectors/trezor-agent-vectors.json";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const device = new MnemonicDevice(vectors.mnemonic);
const cases = vectors.gpg.filter((v) => v.userId.startsWith("Satoshi"));

describe.each(cases.map((v) => [v.curve, v.created, v] as const))("%s key created %i", (curve, created, v) => {
  const identity = gpgIdentity(v.userId, curve as "nist256p1" | "ed25519");
  let publicHome: GnupgHome;
  let secretHome: GnupgHome;

  beforeAll(async () => {
    publicHome = makeGnupgHome();
    secretHome = makeGnupgHome();
  });
  afterAll(async () => {
    await publicHome.remove();
    await secretHome.remove();
  });

  test("gpg imports the public key with trezor-agent's fingerprints and good self-signatures", async () => {
    const key = await gpgPublicKey(device, identity, { created });
    expect((await publicHome.gpg(["--import"], key.armored)).exitCode).toBe(0);
    expect(await publicHome.fingerprints()).toEqual([v.primaryFingerprint, v.subkeyFingerprint]);
    const check = await publicHome.gpg(["--check-signatures", v.primaryFingerprint]);
    expect(check.stderr).toMatch(/2 good signatures/);
    expect(check.stdout).not.toMatch(/sig-|sig%/);
  });

  test("gpg verifies our detached signature and rejects it over other data", async () => {
    const key = await gpgPublicKey(device, identity, { created });
    const data = utf8("release manifest v1\n");
    const signature = await signDetached(device, key, data);
    const dir = publicHome.path;
    writeFileSync(join(dir, "data"), data);
    writeFileSync(join(dir, "other"), utf8("release manifest v2\n"));
    writeFileSync(join(dir, "data.asc"), signature);
    const good = await publicHome.gpg(["--status-fd", "1", "--verify", join(dir, "data.asc"), join(dir, "data")]);
    expect(good.exitCode).toBe(0);
    expect(good.stdout).toContain(`[GNUPG:] VALIDSIG ${v.primaryFingerprint}`);
    const bad = await publicHome.gpg(["--status-fd", "1", "--verify", join(dir, "data.asc"), join(dir, "other")]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain("[GNUPG:] BADSIG");
  });

  test("gpg, holding the exported secret, decrypts what we encrypt and signs what we verify", async () => {
    const key = await gpgPublicKey(device, identity, { created });
    const imported = await secretHome.gpg(["--import"], await exportGpgSecretKey(device, identity, { created }));
    expect(imported.exitCode).toBe(0);
    expect(await secretHome.fingerprints()).toEqual([v.primaryFingerprint, v.subkeyFingerprint]);

    const plaintext = utf8("rpcpassword=correct horse battery staple\n");
    const decrypted = await secretHome.gpg(["--decrypt"], await encryptTo([key.armored], plaintext));
    expect(decrypted.exitCode).toBe(0);
    expect(decrypted.stdout).toBe(Buffer.from(plaintext).toString());

    const signed = await secretHome.gpg(["--armor", "--detach-sign", "--local-user", v.primaryFingerprint], plaintext);
    expect(signed.exitCode).toBe(0);
    expect(await verifyDetached([key.armored], plaintext, signed.stdout)).toMatchObject({ valid: true });
  });

  test("the device decrypts what gpg encrypts to our key", async () => {
    const key = await gpgPublicKey(device, identity, { created });
    const plaintext = "macaroon for the lightning node\n";
    const encrypted = await publicHome.gpg(["--armor", "--encrypt", "--recipient", v.primaryFingerprint], plaintext);
    expect(encrypted.exitCode).toBe(0);
    expect(Buffer.from(await decryptWithDevice(device, key, encrypted.stdout)).toString()).toBe(plaintext);
    expect(hexUpper(fingerprint(key.subkey))).toBe(v.subkeyFingerprint);
  });
});
