// The Device on a Trezor: CipherKeyValue through @trezor/connect, GetPublicKey,
// SignIdentity and GetECDHSessionKey as raw messages on the session Connect holds
// (connectLink.ts says why), all on one @trezor/transport instance.
//
// Tested end to end against BCM's own emulator (device/testing/trezorEmulator: the wire
// protocol over UDP, the legacy firmware's message flow, MnemonicDevice as the firmware).
// NOT TESTED ON HARDWARE: USB and Trezor Bridge are the library's code paths, untried here.
import { CurveName } from "../curves";
import {
  CipherKeyValueRequest,
  Device,
  DeviceDescription,
  EcdhRequest,
  EcdhSessionKey,
  SignedIdentity,
  SignIdentityRequest,
} from "../device";
import { ConnectLink } from "./connectLink";
import { describeFeatures } from "./trezorDescription";
import {
  getEcdhSessionKeyPayload,
  getPublicKeyPayload,
  parseEcdhSessionKey,
  parsePublicKey,
  parseSignedIdentity,
  Payload,
  signIdentityPayload,
} from "./trezorMessages";
import { TransportChoice } from "./transports";
import { callWithInteraction, TrezorInteraction, TrezorWire } from "./trezorWire";

/** What TrezorDevice needs from the device: Connect's link in use, a script in unit tests. */
export interface TrezorLink {
  /** The Features of the device that answered. */
  readonly features: Payload;
  cipherKeyValue(request: CipherKeyValueRequest): Promise<Uint8Array>;
  /** A wire for one operation's messages. */
  wire(): Promise<TrezorWire>;
  close(): Promise<void>;
}

export interface TrezorOpenOptions {
  transport: TransportChoice;
  interaction: TrezorInteraction;
  /** How long to wait for the device to answer at first (default 60 s). */
  waitMs?: number;
  onWaiting?: () => void;
}

export class TrezorDevice implements Device {
  /** One operation at a time: a device answers one request, and Connect's calls and ours share its session. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly link: TrezorLink,
    private readonly interaction: TrezorInteraction,
    private readonly transport: TransportChoice["kind"],
  ) {}

  static async open(options: TrezorOpenOptions): Promise<TrezorDevice> {
    const link = await ConnectLink.open({ ...options, waitMs: options.waitMs ?? 60_000 });
    return new TrezorDevice(link, options.interaction, options.transport.kind);
  }

  async describe(): Promise<DeviceDescription> {
    return describeFeatures(this.link.features, this.transport);
  }

  getPublicKey(path: readonly number[], curve: CurveName): Promise<Uint8Array> {
    return this.#raw("GetPublicKey", getPublicKeyPayload(path, curve), "PublicKey").then(parsePublicKey);
  }

  cipherKeyValue(request: CipherKeyValueRequest): Promise<Uint8Array> {
    return this.#serial(() => this.link.cipherKeyValue(request));
  }

  signIdentity(request: SignIdentityRequest): Promise<SignedIdentity> {
    return this.#raw("SignIdentity", signIdentityPayload(request), "SignedIdentity").then(parseSignedIdentity);
  }

  getEcdhSessionKey(request: EcdhRequest): Promise<EcdhSessionKey> {
    return this.#raw("GetECDHSessionKey", getEcdhSessionKeyPayload(request), "ECDHSessionKey").then(parseEcdhSessionKey);
  }

  close(): Promise<void> {
    return this.#serial(() => this.link.close());
  }

  #raw(name: string, payload: Payload, expected: string): Promise<Payload> {
    return this.#serial(async () => callWithInteraction(await this.link.wire(), name, payload, expected, this.interaction));
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
