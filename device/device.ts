// The one interface every BCM key operation goes through. Two implementations:
// TrezorDevice (real hardware) and MnemonicDevice (software, for tests and development).
// Requests and results mirror the firmware's protobuf messages field for field, so
// that both implementations can be held to the same public vectors.
import { CurveName, EcdhCurve, SigningCurve } from "./curves";

/** SLIP-0013 service identity (protobuf IdentityType). Empty and absent fields mean the same. */
export interface Identity {
  proto?: string;
  user?: string;
  host?: string;
  port?: string;
  path?: string;
  index?: number;
}

export interface CipherKeyValueRequest {
  path: readonly number[];
  key: string;
  value: Uint8Array;
  encrypt: boolean;
  askOnEncrypt: boolean;
  askOnDecrypt: boolean;
  /** Used only when exactly 16 bytes long, as in the firmware. */
  iv?: Uint8Array;
}

export interface SignIdentityRequest {
  identity: Identity;
  challengeHidden: Uint8Array;
  challengeVisual: string;
  curve: SigningCurve;
}

export interface SignedIdentity {
  /** 33 bytes: compressed point, or `00 || key` for ed25519. */
  publicKey: Uint8Array;
  /** 65 bytes, in the firmware's layout for the proto and curve. */
  signature: Uint8Array;
  /** Bitcoin P2PKH address; secp256k1 only. */
  address?: string;
}

export interface EcdhRequest {
  identity: Identity;
  peerPublicKey: Uint8Array;
  curve: EcdhCurve;
}

export interface EcdhSessionKey {
  /** Our public key on the SLIP-0017 path. */
  publicKey: Uint8Array;
  /** `04 || X || Y` (Weierstrass curves) or `04 || u` (curve25519). */
  sessionKey: Uint8Array;
}

/**
 * What answered, as the device reported it: a Trezor's model and firmware come from its
 * Features message, so they say which device signed, not which one was asked for.
 */
export interface DeviceDescription {
  kind: "trezor" | "software";
  /** Features.internal_model, e.g. "T1B1" (Model One) or "T2T1" (Model T). */
  model?: string;
  /** Features major.minor.patch, e.g. "1.13.1". */
  firmware?: string;
  /** The name the owner gave the device (Features.label). */
  label?: string;
  /**
   * How the Trezor was reached. "udp" is the transport of emulators only (Trezor's own and
   * BCM's test emulator): a device on it holds its seed in a computer's memory.
   */
  transport?: "usb" | "bridge" | "udp";
}

export interface Device {
  /** What answered; the policy's device kind comes from here, never from the environment. */
  describe(): Promise<DeviceDescription>;
  getPublicKey(path: readonly number[], curve: CurveName): Promise<Uint8Array>;
  cipherKeyValue(request: CipherKeyValueRequest): Promise<Uint8Array>;
  signIdentity(request: SignIdentityRequest): Promise<SignedIdentity>;
  getEcdhSessionKey(request: EcdhRequest): Promise<EcdhSessionKey>;
  close(): Promise<void>;
}

/** The device refused the request (the firmware's Failure message, e.g. a DataError). */
export class DeviceError extends Error {
  constructor(
    message: string,
    /** The firmware's Failure code or Connect's error code, when there is one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "DeviceError";
  }
}
