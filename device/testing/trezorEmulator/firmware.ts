// The firmware of BCM's emulated Trezor: the legacy (Model One) firmware's message handling
// (trezor-firmware legacy/firmware/fsm_msg_*.h and protect.c) with MnemonicDevice doing the
// cryptography. It is BCM's own stand-in, not Trezor's emulator: it answers the messages
// BCM and @trezor/connect send, in the order the firmware asks for confirmation, PIN and
// passphrase, with the firmware's Failure codes; anything else is an unexpected message.
//
// It reads and writes decoded protobuf messages; the packets around them are packets.ts's.
import { randomBytes } from "node:crypto";
import { bytesToHex, hexToBytes } from "../../bytes";
import { isCurveName } from "../../curves";
import { DeviceError, Identity } from "../../device";
import { MnemonicDevice } from "../../mnemonicDevice";
import { p2pkhAddress } from "../../bitcoin";
import { featuresMessage } from "./features";

export interface WireMessage {
  type: string;
  message: Record<string, unknown>;
}

/** The host's side of the wire, as the firmware sees it. */
export interface FirmwareIo {
  /** The next message from the host (waits for one). */
  receive(): Promise<WireMessage>;
  send(message: WireMessage): void;
}

export interface EmulatorOptions {
  mnemonic: string;
  /** The device's PIN: with one it starts locked and asks for it with a PinMatrixRequest. */
  pin?: string;
  /** What the user presses on every confirmation: "reject" answers Failure_ActionCancelled. */
  buttons?: "confirm" | "reject";
  /** Ask for a wallet passphrase (PassphraseRequest) once per session. */
  passphraseProtection?: boolean;
  label?: string;
}

const FAILURE_TEXT: Record<string, string> = {
  Failure_UnexpectedMessage: "Unexpected message",
  Failure_DataError: "Data error",
  Failure_ActionCancelled: "Action cancelled by user",
  Failure_PinCancelled: "PIN cancelled",
  Failure_PinInvalid: "PIN invalid",
  Failure_ProcessError: "Process error",
};

export function failure(code: string, text?: string): WireMessage {
  return { type: "Failure", message: { code, message: text ?? FAILURE_TEXT[code] } };
}

/** Ends a handler early with this reply (a Failure, or Features after an Initialize). */
class Reply extends Error {
  constructor(readonly reply: WireMessage) {
    super(reply.type);
  }
}

const optional = <T>(value: unknown, fallback: T): T => (value === null || value === undefined ? fallback : (value as T));

/**
 * The PIN matrix: the host sends positions on a 3x3 grid of scrambled digits. The emulator
 * has no screen to show a scramble on, so its grid is the keypad itself: position n is n.
 */
export function pinFromPositions(positions: string): string | undefined {
  return /^[1-9]{1,50}$/.test(positions) ? positions : undefined;
}

export class EmulatedFirmware {
  readonly #options: EmulatorOptions;
  readonly #deviceId = bytesToHex(randomBytes(12)).toUpperCase();
  readonly #wallets = new Map<string, MnemonicDevice>();
  #sessionId = randomBytes(32);
  /** The session's wallet passphrase, once given (legacy session_cachePassphrase). */
  #passphrase: string | undefined;
  #unlocked: boolean;

  constructor(options: EmulatorOptions) {
    this.#options = options;
    this.#unlocked = options.pin === undefined;
    this.#wallet(""); // a bad mnemonic fails here, not on the first request
  }

  /** Answers the host's messages, one at a time, until the wire closes (receive rejects). */
  async serve(io: FirmwareIo): Promise<void> {
    for (;;) {
      const request = await io.receive();
      io.send(await this.answer(request, io));
    }
  }

  /** The final reply to one request, after whatever interaction it needs over `io`. */
  async answer(request: WireMessage, io: FirmwareIo): Promise<WireMessage> {
    try {
      return await this.#dispatch(request, io);
    } catch (error) {
      if (error instanceof Reply) return error.reply;
      if (error instanceof DeviceError) return failure("Failure_DataError", error.message);
      throw error;
    }
  }

  async #dispatch({ type, message: m }: WireMessage, io: FirmwareIo): Promise<WireMessage> {
    switch (type) {
      case "Initialize":
        return this.#initialize(typeof m.session_id === "string" ? m.session_id : undefined);
      case "GetFeatures":
        return this.#features();
      case "Cancel":
        // Nothing to cancel: the legacy firmware answers every Cancel the same way.
        return failure("Failure_ActionCancelled");
      case "GetPublicKey":
        return this.#getPublicKey(m, io);
      case "GetAddress":
        return this.#getAddress(m, io);
      case "CipherKeyValue":
        return this.#cipherKeyValue(m, io);
      case "SignIdentity":
        return this.#signIdentity(m, io);
      case "GetECDHSessionKey":
        return this.#getEcdhSessionKey(m, io);
      default:
        return failure("Failure_UnexpectedMessage");
    }
  }

  #initialize(sessionId: string | undefined): WireMessage {
    // A known session id resumes the session (its passphrase stays); anything else starts
    // a new one. The PIN stays unlocked either way (session_clear(false)).
    if (sessionId !== bytesToHex(this.#sessionId)) {
      this.#sessionId = randomBytes(32);
      this.#passphrase = undefined;
    }
    return this.#features();
  }

  #features(): WireMessage {
    return {
      type: "Features",
      message: featuresMessage({
        deviceId: this.#deviceId,
        label: this.#options.label ?? "BCM emulator",
        pinProtection: this.#options.pin !== undefined,
        passphraseProtection: this.#options.passphraseProtection === true,
        unlocked: this.#unlocked,
        sessionId: this.#sessionId,
      }),
    };
  }

  async #getPublicKey(m: Record<string, unknown>, io: FirmwareIo): Promise<WireMessage> {
    const curve = optional(m.ecdsa_curve_name, "secp256k1");
    if (!isCurveName(curve)) throw new Reply(failure("Failure_DataError", "Invalid curve"));
    await this.#protectPin(io);
    const path = optional<number[]>(m.address_n, []);
    const node = (await this.#seed(io)).publicNodeAt(path, curve);
    return {
      type: "PublicKey",
      message: {
        // BCM reads the public key; the fingerprint and xpub are not computed here.
        node: { depth: path.length, fingerprint: 0, child_num: path[path.length - 1] ?? 0, chain_code: bytesToHex(node.chainCode), public_key: bytesToHex(node.publicKey) },
        xpub: "",
      },
    };
  }

  /** Connect's device-state probe: the testnet P2PKH address at m/44'/1'/0'/0/0. */
  async #getAddress(m: Record<string, unknown>, io: FirmwareIo): Promise<WireMessage> {
    const coin = optional(m.coin_name, "Bitcoin");
    const version = coin === "Bitcoin" ? 0x00 : coin === "Testnet" ? 0x6f : undefined;
    if (version === undefined || optional(m.script_type, "SPENDADDRESS") !== "SPENDADDRESS") {
      throw new Reply(failure("Failure_DataError", "the emulator derives P2PKH addresses of Bitcoin and Testnet only"));
    }
    await this.#protectPin(io);
    const key = await (await this.#seed(io)).getPublicKey(optional<number[]>(m.address_n, []), "secp256k1");
    if (m.show_display === true) await this.#protectButton(io, "ButtonRequest_Address");
    return { type: "Address", message: { address: p2pkhAddress(key, version) } };
  }

  async #cipherKeyValue(m: Record<string, unknown>, io: FirmwareIo): Promise<WireMessage> {
    const value = hexToBytes(optional(m.value, ""));
    if (value.length % 16 !== 0) throw new Reply(failure("Failure_DataError", "Value length must be a multiple of 16"));
    await this.#protectPin(io);
    const wallet = await this.#seed(io);
    const request = {
      path: optional<number[]>(m.address_n, []),
      key: String(m.key),
      value,
      encrypt: m.encrypt === true,
      askOnEncrypt: m.ask_on_encrypt === true,
      askOnDecrypt: m.ask_on_decrypt === true,
      iv: typeof m.iv === "string" ? hexToBytes(m.iv) : undefined,
    };
    if (request.encrypt ? request.askOnEncrypt : request.askOnDecrypt) await this.#protectButton(io, "ButtonRequest_Other");
    return { type: "CipheredKeyValue", message: { value: bytesToHex(await wallet.cipherKeyValue(request)) } };
  }

  async #signIdentity(m: Record<string, unknown>, io: FirmwareIo): Promise<WireMessage> {
    // The legacy firmware shows the identity and waits for the press before the PIN.
    await this.#protectButton(io, "ButtonRequest_ProtectCall");
    await this.#protectPin(io);
    const signed = await (await this.#seed(io)).signIdentity({
      identity: identityOf(m.identity),
      challengeHidden: hexToBytes(optional(m.challenge_hidden, "")),
      challengeVisual: optional(m.challenge_visual, ""),
      curve: signingCurve(optional(m.ecdsa_curve_name, "secp256k1")),
    });
    return {
      type: "SignedIdentity",
      message: { public_key: bytesToHex(signed.publicKey), signature: bytesToHex(signed.signature), ...(signed.address ? { address: signed.address } : {}) },
    };
  }

  async #getEcdhSessionKey(m: Record<string, unknown>, io: FirmwareIo): Promise<WireMessage> {
    await this.#protectButton(io, "ButtonRequest_ProtectCall");
    await this.#protectPin(io);
    const curve = optional(m.ecdsa_curve_name, "secp256k1");
    if (curve !== "secp256k1" && curve !== "nist256p1" && curve !== "curve25519") throw new Reply(failure("Failure_DataError", "Invalid curve"));
    const result = await (await this.#seed(io)).getEcdhSessionKey({
      identity: identityOf(m.identity),
      peerPublicKey: hexToBytes(optional(m.peer_public_key, "")),
      curve,
    });
    return { type: "ECDHSessionKey", message: { session_key: bytesToHex(result.sessionKey), public_key: bytesToHex(result.publicKey) } };
  }

  /**
   * Sends `prompt` and waits for `expected`. As in the firmware, Cancel aborts with
   * `onCancel`, an Initialize aborts with the Features of a fresh session, and any other
   * message is unexpected.
   */
  async #ask(io: FirmwareIo, prompt: WireMessage, expected: string, onCancel: WireMessage): Promise<WireMessage> {
    io.send(prompt);
    const reply = await io.receive();
    if (reply.type === expected) return reply;
    if (reply.type === "Cancel") throw new Reply(onCancel);
    if (reply.type === "Initialize") throw new Reply(this.#initialize(undefined));
    throw new Reply(failure("Failure_UnexpectedMessage"));
  }

  async #protectButton(io: FirmwareIo, code: string): Promise<void> {
    const cancelled = failure("Failure_ActionCancelled");
    await this.#ask(io, { type: "ButtonRequest", message: { code } }, "ButtonAck", cancelled);
    if (this.#options.buttons === "reject") throw new Reply(cancelled);
  }

  async #protectPin(io: FirmwareIo): Promise<void> {
    if (this.#unlocked) return;
    const ack = await this.#ask(io, { type: "PinMatrixRequest", message: { type: "PinMatrixRequestType_Current" } }, "PinMatrixAck", failure("Failure_PinCancelled"));
    if (pinFromPositions(String(ack.message.pin)) !== this.#options.pin) throw new Reply(failure("Failure_PinInvalid"));
    this.#unlocked = true;
  }

  /** The session's wallet: asks for the passphrase on first use when protection is on. */
  async #seed(io: FirmwareIo): Promise<MnemonicDevice> {
    if (this.#options.passphraseProtection !== true) return this.#wallet("");
    if (this.#passphrase === undefined) {
      const ack = await this.#ask(io, { type: "PassphraseRequest", message: {} }, "PassphraseAck", failure("Failure_ActionCancelled"));
      // The legacy firmware takes the host's passphrase, or an empty one.
      this.#passphrase = typeof ack.message.passphrase === "string" ? ack.message.passphrase : "";
    }
    return this.#wallet(this.#passphrase);
  }

  #wallet(passphrase: string): MnemonicDevice {
    let wallet = this.#wallets.get(passphrase);
    if (!wallet) {
      wallet = new MnemonicDevice(this.#options.mnemonic, { passphrase });
      this.#wallets.set(passphrase, wallet);
    }
    return wallet;
  }
}

function identityOf(value: unknown): Identity {
  const i = (value ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  return { proto: text(i.proto), user: text(i.user), host: text(i.host), port: text(i.port), path: text(i.path), index: typeof i.index === "number" ? i.index : 0 };
}

function signingCurve(curve: string): "secp256k1" | "nist256p1" | "ed25519" {
  if (curve === "secp256k1" || curve === "nist256p1" || curve === "ed25519") return curve;
  throw new Reply(failure("Failure_DataError", "Invalid curve"));
}
