// The Device on real Trezor hardware: CipherKeyValue through @trezor/connect; GetPublicKey,
// SignIdentity and GetECDHSessionKey over @trezor/transport with @trezor/protobuf messages.
//
// NOT TESTED ON HARDWARE. What is tested: the payloads against @trezor/protobuf's
// encoder and the firmware's field numbers, the interaction loop, and the mapping of
// firmware replies (the public vectors' replies) to this interface, with a scripted wire.
import { CurveName } from "../curves";
import { CipherKeyValueRequest, Device, EcdhRequest, EcdhSessionKey, SignedIdentity, SignIdentityRequest } from "../device";
import { CipherKeyValueBackend, openConnectCipher } from "./connectCipher";
import { TransportKind, TransportLink } from "./transportLink";
import {
  getEcdhSessionKeyPayload,
  getPublicKeyPayload,
  parseEcdhSessionKey,
  parsePublicKey,
  parseSignedIdentity,
  signIdentityPayload,
} from "./trezorMessages";
import { callWithInteraction, PassphraseMode, TrezorInteraction, TrezorWire } from "./trezorWire";

/** Runs one operation with a wire to the device (a TransportLink, or a script in tests). */
export type WireRunner = <T>(operation: (wire: TrezorWire) => Promise<T>) => Promise<T>;

export interface TrezorDeviceParts {
  runWire: WireRunner;
  cipher: CipherKeyValueBackend;
  interaction: TrezorInteraction;
  close?: () => void;
}

export class TrezorDevice implements Device {
  readonly kind = "trezor" as const;

  constructor(private readonly parts: TrezorDeviceParts) {}

  static async open(options: { transport?: TransportKind; passphrase?: PassphraseMode; onButtonRequest?: () => void } = {}): Promise<TrezorDevice> {
    const passphrase = options.passphrase ?? { kind: "empty" };
    const link = await TransportLink.open(options.transport);
    return new TrezorDevice({
      runWire: (operation) => link.withWire(operation),
      cipher: await openConnectCipher(passphrase),
      interaction: { passphrase, onButtonRequest: options.onButtonRequest },
      close: () => link.close(),
    });
  }

  getPublicKey(path: readonly number[], curve: CurveName): Promise<Uint8Array> {
    return this.#call("GetPublicKey", getPublicKeyPayload(path, curve), "PublicKey").then(parsePublicKey);
  }

  cipherKeyValue(request: CipherKeyValueRequest): Promise<Uint8Array> {
    return this.parts.cipher.cipherKeyValue(request);
  }

  signIdentity(request: SignIdentityRequest): Promise<SignedIdentity> {
    return this.#call("SignIdentity", signIdentityPayload(request), "SignedIdentity").then(parseSignedIdentity);
  }

  getEcdhSessionKey(request: EcdhRequest): Promise<EcdhSessionKey> {
    return this.#call("GetECDHSessionKey", getEcdhSessionKeyPayload(request), "ECDHSessionKey").then(parseEcdhSessionKey);
  }

  async close(): Promise<void> {
    await this.parts.cipher.close();
    this.parts.close?.();
  }

  #call(name: string, payload: Record<string, unknown>, expected: string) {
    return this.parts.runWire((wire) => callWithInteraction(wire, name, payload, expected, this.parts.interaction));
  }
}
