// The policy's device kind comes from the device that answered, not from BCM_DEVICE: a
// Trezor reached over UDP is an emulator, whatever the environment calls it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { attestedDeviceKind } from "./attestedDeviceKind";
import { makeTempDir } from "./testing/tempDir";
import { TEST_MNEMONIC } from "./testing/testMnemonic";
import { startTrezorEmulator } from "./testing/trezorEmulator/udpEmulator";

const dir = makeTempDir("attested");
afterAll(() => dir.remove());

test("the software device is \"mnemonic\"", async () => {
  const file = join(dir.path, "mnemonic");
  writeFileSync(file, TEST_MNEMONIC, { mode: 0o600 });
  expect(await attestedDeviceKind({ BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: file })).toBe("mnemonic");
});

test("BCM_DEVICE=trezor answered by an emulator is \"emulator\"", async () => {
  const emulator = await startTrezorEmulator({ mnemonic: TEST_MNEMONIC });
  try {
    expect(await attestedDeviceKind({ BCM_DEVICE: "trezor", BCM_TREZOR_TRANSPORT: "udp", BCM_TREZOR_UDP: emulator.address }, { warn: () => undefined })).toBe("emulator");
  } finally {
    await emulator.close();
  }
});

test("nothing answering is an error, never a guess", async () => {
  // A loopback port nobody listens on: the UDP ping goes unanswered.
  const emulator = await startTrezorEmulator({ mnemonic: TEST_MNEMONIC });
  const address = emulator.address;
  await emulator.close();
  await expect(attestedDeviceKind({ BCM_DEVICE: "trezor", BCM_TREZOR_TRANSPORT: "udp", BCM_TREZOR_UDP: address }, { warn: () => undefined, waitMs: 1_000 })).rejects.toThrow(
    /^no Trezor answered: connect and unlock it/,
  );
});
