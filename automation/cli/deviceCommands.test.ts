// The CLI's functions: output formats, the environment's devices, and usage errors that
// name the offending argument (exit code 2 in the CLI). The firmware vectors run against
// both devices: the software device, and a Trezor reached the way `bcm` reaches one
// (deviceFromEnvironment, @trezor/connect, the UDP transport) with BCM's emulator behind it.
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { Device } from "../../device/device";
import { deviceFromEnvironment } from "../../device/fromEnvironment";
import { MnemonicDevice } from "../../device/mnemonicDevice";
import { UsageError } from "../../device/usageError";
import * as commands from "./deviceCommands";
import { makeTempDir } from "../../device/testing/tempDir";
import { startTrezorEmulator } from "../../device/testing/trezorEmulator/udpEmulator";
import vectors from "../../device/gpg/vectors/trezor-agent-vectors.json";

const MNEMONIC12 = "alcohol woman abuse must during monitor noble actual mixed trade anger aisle";
const dir = makeTempDir("commands");
afterAll(() => dir.remove());

async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError");
}

interface OpenDevice {
  device: Device;
  close(): Promise<void>;
}

const devices: { name: string; slug: string; open: () => Promise<OpenDevice> }[] = [
  { name: "the software device", slug: "software", open: async () => ({ device: new MnemonicDevice(MNEMONIC12), close: async () => undefined }) },
  {
    name: "a Trezor over UDP (BCM's emulator, through @trezor/connect)",
    slug: "trezor",
    open: async () => {
      const emulator = await startTrezorEmulator({ mnemonic: MNEMONIC12 });
      const env = { BCM_DEVICE: "trezor", BCM_TREZOR_TRANSPORT: "udp", BCM_TREZOR_UDP: emulator.address };
      const device = await deviceFromEnvironment(env, { warn: () => undefined });
      return { device, close: async () => (await device.close(), await emulator.close()) };
    },
  },
];

describe.each(devices)("with $name", ({ slug, open }) => {
  let opened: OpenDevice;
  const context = {} as { device: Device };
  const cwd = join(dir.path, slug);
  beforeAll(async () => {
    mkdirSync(cwd);
    opened = await open();
    context.device = opened.device;
  });
  afterAll(() => opened.close());

  describe("bcm device", () => {
    test("cipher-key-value prints the firmware's hex (test_msg_cipherkeyvalue.py)", async () => {
      const encrypted = await commands.deviceCipherKeyValue(
        { path: "m/0/1/2", key: "test", value: "74657374696e67206d65737361676521", encrypt: true, askOnEncrypt: true, askOnDecrypt: true },
        context,
      );
      expect(encrypted).toBe("676faf8f13272af601776bc31bc14e8f\n");
      const decrypted = await commands.deviceCipherKeyValue(
        { path: "m/0/1/2", key: "test", value: "676faf8f13272af601776bc31bc14e8f", decrypt: true, askOnEncrypt: true, askOnDecrypt: true },
        context,
      );
      expect(Buffer.from(decrypted.trim(), "hex").toString()).toBe("testing message!");
    });

    test("sign-identity prints the firmware's JSON (test_msg_signidentity.py)", async () => {
      const out = await commands.deviceSignIdentity(
        { identity: "https://satoshi@bitcoin.org/login", challengeHidden: "cd8552569d6e4509266ef137584d1e62c7579b5b8ed69bbafa4b864c6521e7c2", challengeVisual: "2015-03-23 17:39:22" },
        context,
      );
      expect(JSON.parse(out)).toEqual({
        publicKey: "023a472219ad3327b07c18273717bb3a40b39b743756bf287fbd5fa9d263237f45",
        signature: "20f2d1a42d08c3a362be49275c3ffeeaa415fc040971985548b9f910812237bb41770bf2c8d488428799fbb7e52c11f1a3404011375e4080e077e0e42ab7a5ba02",
        address: "17F17smBTX9VTZA9Mj8LM5QGYNZnmziCjL",
      });
      const ssh = JSON.parse(
        await commands.deviceSignIdentity({ identity: "ssh://satoshi@bitcoin.org", index: "47", curve: "ed25519", challengeHidden: "cd8552569d6e4509266ef137584d1e62c7579b5b8ed69bbafa4b864c6521e7c2" }, context),
      );
      expect(ssh).toEqual({
        publicKey: "000fac2a491e0f5b871dc48288a4cae551bac5cb0ed19df0764d6e721ec5fade18",
        signature: "00f05e5085e666429de397c70a081932654369619c0bd2a6579ea6c1ef2af112ef79998d6c862a16b932d44b1ac1b83c8cbcd0fbda228274fde9e0d0ca6e9cb709",
      });
    });

    test("ecdh prints the firmware's JSON (test_msg_getecdhsessionkey.py)", async () => {
      const out = await commands.deviceEcdh(
        { identity: "gpg://Satoshi Nakamoto <satoshi@bitcoin.org>", curve: "curve25519", peerPublicKey: "40a8cf4b6a64c4314e80f15a8ea55812bd735fbb365936a48b2d78807b575fa17a" },
        context,
      );
      expect(JSON.parse(out)).toEqual({
        publicKey: "009753a0738c55c7ba7c17dd4a9a975ce9b0d2b62e8a1ecef4a76767fad99d3c71",
        sessionKey: "04e24516669e0b7d3d72e5129fddd07b6644c30915f5c8b7f1f62324afb3624311",
      });
    });

    test.each([
      ["--path", () => commands.deviceCipherKeyValue({ path: "m/0/x", key: "k", value: "00".repeat(16), encrypt: true }, context)],
      ["--value", () => commands.deviceCipherKeyValue({ path: "m/0", key: "k", value: "zz", encrypt: true }, context)],
      ["--value", () => commands.deviceCipherKeyValue({ path: "m/0", key: "k", value: "00".repeat(15), encrypt: true }, context)],
      ["--iv", () => commands.deviceCipherKeyValue({ path: "m/0", key: "k", value: "", encrypt: true, iv: "00".repeat(8) }, context)],
      ["--encrypt", () => commands.deviceCipherKeyValue({ path: "m/0", key: "k", value: "", encrypt: true, decrypt: true }, context)],
      ["--key", () => commands.deviceCipherKeyValue({ path: "m/0", value: "", encrypt: true }, context)],
      ["--challenge-hidden", () => commands.deviceSignIdentity({ identity: "ssh://a@b", challengeHidden: "abc" }, context)],
      ["--curve", () => commands.deviceSignIdentity({ identity: "ssh://a@b", challengeHidden: "", curve: "curve25519" }, context)],
      ["--index", () => commands.deviceSignIdentity({ identity: "ssh://a@b", challengeHidden: "", index: "-1" }, context)],
      ["--identity", () => commands.deviceEcdh({ curve: "nist256p1", peerPublicKey: "04" + "11".repeat(64) }, context)],
      ["--peer-public-key", () => commands.deviceEcdh({ identity: "gpg://x", curve: "nist256p1", peerPublicKey: "04" + "00".repeat(10) }, context)],
      ["--curve", () => commands.deviceEcdh({ identity: "gpg://x", curve: "ed25519", peerPublicKey: "40" + "00".repeat(32) }, context)],
      ["--curve", () => commands.sshPubkey({ identity: "a@b", curve: "secp256k1" }, context)],
      ["<user@host>", () => commands.sshPubkey({ identity: "jürgen@b" }, context)],
      ["--time", () => commands.gpgPubkey({ userId: "A <a@b>", time: "yesterday" }, context)],
      ["<user id>", () => commands.gpgPubkey({}, { ...context, env: {} })],
    ])("a malformed %s is a UsageError naming it", async (argument, run) => {
      expect((await usageError(run())).argument).toBe(argument);
    });
  });

  describe("bcm ssh and bcm gpg", () => {
    test("ssh pubkey prints trezor-agent's line", async () => {
      const v = vectors.ssh[0];
      expect(await commands.sshPubkey({ identity: v.identity, curve: v.curve }, context)).toBe(v.line);
    });

    test("gpg pubkey prints trezor-agent's armored key, defaulting to nist256p1 and time 0", async () => {
      const v = vectors.gpg.find((g) => g.curve === "nist256p1" && g.created === 0)!;
      expect(await commands.gpgPubkey({ userId: v.userId }, context)).toBe(v.armored);
      const e = vectors.gpg.find((g) => g.curve === "ed25519" && g.created !== 0)!;
      expect(await commands.gpgPubkey({ userId: e.userId, curve: "ed25519", time: String(e.created) }, context)).toBe(e.armored);
    });
  });

  describe("bcm file and bcm pass (no git)", () => {
    const key = { userId: "BCM Files <files@bcm.example>", curve: "ed25519" };

    test("encrypt, decrypt, sign and verify through files", async () => {
      const c = { device: context.device, cwd };
      writeFileSync(join(cwd, "plain.txt"), "bitcoin.conf contents\n");
      await commands.fileEncrypt({ ...key, input: "plain.txt", output: "plain.txt.gpg" }, c);
      expect(await commands.fileDecrypt({ ...key, input: "plain.txt.gpg" }, c)).toBe("bitcoin.conf contents\n");
      const armored = await commands.fileEncrypt({ ...key, input: "plain.txt" }, c);
      writeFileSync(join(cwd, "plain.txt.asc"), armored);
      expect(await commands.fileDecrypt({ ...key, input: "plain.txt.asc" }, c)).toBe("bitcoin.conf contents\n");
      // --output: the plaintext is its owner's only, whatever the umask.
      const umask = process.umask(0o022);
      try {
        expect(await commands.fileDecrypt({ ...key, input: "plain.txt.gpg", output: "plain.out" }, c)).toBe("");
      } finally {
        process.umask(umask);
      }
      expect(readFileSync(join(cwd, "plain.out"), "utf8")).toBe("bitcoin.conf contents\n");
      expect(statSync(join(cwd, "plain.out")).mode & 0o777).toBe(0o600);
      await commands.fileSign({ ...key, input: "plain.txt", output: "plain.txt.sig" }, c);
      expect(await commands.fileVerify({ ...key, input: "plain.txt", signature: "plain.txt.sig" }, c)).toMatch(/^Good signature from "BCM Files <files@bcm.example>"/);
      writeFileSync(join(cwd, "plain.txt"), "tampered\n");
      await expect(commands.fileVerify({ ...key, input: "plain.txt", signature: "plain.txt.sig" }, c)).rejects.toThrow(commands.VerificationError);
      expect((await usageError(commands.fileSign({ ...key, input: "missing.txt" }, c))).argument).toBe("--input");
    });

    test("init, new, insert, get, list, rm", async () => {
      const c = { device: context.device, cwd };
      const store = { ...key, store: "store" };
      expect((await usageError(commands.passList(store, c))).argument).toBe("--store");
      expect(await commands.passInit(store, c)).toMatch(/^Password store initialized for [0-9A-F]{40}\n$/);
      const generated = await commands.passNew({ ...store, name: "rpc/bitcoind", length: "20", symbols: false }, c);
      expect(generated).toMatch(/^[A-Za-z0-9]{20}\n$/);
      await commands.passInsert({ ...store, name: "tor/control", secret: "hunter2" }, c);
      expect(await commands.passGet({ ...store, name: "tor/control" }, c)).toBe("hunter2\n");
      expect(await commands.passGet({ ...store, name: "rpc/bitcoind" }, c)).toBe(generated);
      expect(await commands.passList(store, c)).toBe("rpc/bitcoind\ntor/control\n");
      await commands.passRm({ ...store, name: "tor/control" }, c);
      expect(await commands.passList(store, c)).toBe("rpc/bitcoind\n");
      expect((await usageError(commands.passGet({ ...store, name: "../escape" }, c))).argument).toBe("<name>");
      expect((await usageError(commands.passInsert({ ...store, name: "x", secret: "a\nb" }, c))).argument).toBe("<secret>");
    });
  });
});

test("any non-hex --value is a usage error, never a device call", async () => {
  const refusing = { cipherKeyValue: () => Promise.reject(new Error("device must not be called")) } as unknown as Device;
  await fc.assert(
    fc.asyncProperty(fc.string().filter((s) => !/^(0x)?([0-9a-fA-F]{2})*$/.test(s)), async (value) => {
      expect((await usageError(commands.deviceCipherKeyValue({ path: "m/0", key: "k", value, encrypt: true }, { device: refusing }))).argument).toBe("--value");
    }),
  );
});

describe("the environment's devices", () => {
  test("BCM_DEVICE=mnemonic reads the mnemonic file and BCM_PASSPHRASE", async () => {
    const file = join(dir.path, "mnemonic");
    writeFileSync(file, MNEMONIC12 + "\n", { mode: 0o600 });
    const env = { BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: file };
    expect(await commands.sshPubkey({ identity: vectors.ssh[0].identity }, { env })).toBe(vectors.ssh[0].line);
    expect(await commands.sshPubkey({ identity: vectors.ssh[0].identity }, { env: { ...env, BCM_PASSPHRASE: "x" } })).not.toBe(vectors.ssh[0].line);
  });

  test("a missing mnemonic file or unknown device kind is a usage error", async () => {
    expect((await usageError(commands.sshPubkey({ identity: "a@b" }, { env: { BCM_DEVICE: "mnemonic" } }))).argument).toBe("BCM_MNEMONIC_FILE");
    expect((await usageError(commands.sshPubkey({ identity: "a@b" }, { env: { BCM_DEVICE: "ledger" } }))).argument).toBe("BCM_DEVICE");
  });

  test("a mnemonic file others may read or write is refused, naming the file, its mode and the fix", async () => {
    const file = join(dir.path, "open-mnemonic");
    writeFileSync(file, MNEMONIC12 + "\n");
    for (const mode of [0o644, 0o640, 0o602]) {
      chmodSync(file, mode);
      const octal = "0" + mode.toString(8);
      await expect(commands.sshPubkey({ identity: "a@b" }, { env: { BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: file } })).rejects.toThrow(
        `BCM_MNEMONIC_FILE: permissions ${octal} for ${file} are too open (group or others may read or write it): chmod 600 ${file}`,
      );
    }
  });

  test("the Trezor's transport settings are checked before anything is opened", async () => {
    const trezor = (extra: Record<string, string>) => commands.sshPubkey({ identity: "a@b" }, { env: { BCM_DEVICE: "trezor", ...extra } });
    expect((await usageError(trezor({ BCM_TREZOR_TRANSPORT: "bluetooth" }))).argument).toBe("BCM_TREZOR_TRANSPORT");
    expect((await usageError(trezor({ BCM_TREZOR_TRANSPORT: "udp", BCM_TREZOR_UDP: "192.168.1.5:21324" }))).argument).toBe("BCM_TREZOR_UDP");
    expect((await usageError(trezor({ BCM_TREZOR_UDP: "127.0.0.1:21324" }))).argument).toBe("BCM_TREZOR_UDP");
  });
});
