// What a Trezor reported about itself, in the Device interface's terms.
import { DeviceDescription } from "../device";
import { Payload } from "./trezorMessages";
import { TransportKind } from "./transports";

export function describeFeatures(features: Payload, transport: TransportKind): DeviceDescription {
  const description: DeviceDescription = { kind: "trezor", transport };
  const model = features.internal_model ?? features.model;
  if (typeof model === "string" && model !== "") description.model = model;
  const version = [features.major_version, features.minor_version, features.patch_version];
  if (version.every((n) => typeof n === "number")) description.firmware = version.join(".");
  if (typeof features.label === "string" && features.label !== "") description.label = features.label;
  return description;
}
