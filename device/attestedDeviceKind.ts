// The device kind for the policy pack, from what answered: the device is opened, asked to
// describe itself (a Trezor answers with its Features; no confirmation on the device is
// needed) and closed. BCM_DEVICE only chooses whom to ask.
import { deviceFromEnvironment, DeviceSelection } from "./fromEnvironment";
import { policyDeviceKind, PolicyDeviceKind } from "./describeDevice";

export async function attestedDeviceKind(env: NodeJS.ProcessEnv = process.env, selection: DeviceSelection = {}): Promise<PolicyDeviceKind> {
  const device = await deviceFromEnvironment(env, selection);
  try {
    return policyDeviceKind(await device.describe());
  } finally {
    await device.close();
  }
}
