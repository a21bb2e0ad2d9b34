// A software stand-in for a Trezor: same derivations, same messages, same bytes out,
// from a BIP-39 mnemonic held in memory. For tests and development only: the seed is
// as exposed as this process is.
import { mnemonicToSeedSync, validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english";
import { CurveName } from "./curves";
import {
  CipherKeyValueRequest,
  Device,
  DeviceDescription,
  DeviceError,
  EcdhRequest,
  EcdhSessionKey,
  SignedIdentity,
  SignIdentityRequest,
} from "./device";
import { deriveNode, nodePublicKey } from "./slip10";
import { identityPath, SLIP13_PURPOSE, SLIP17_PURPOSE } from "./slip13Identity";
import { cipherKeyValueWithKey } from "./slip11CipherKeyValue";
import { signChallenge } from "./signIdentity";
import { ecdhSessionKey } from "./ecdh";
import { p2pkhAddress } from "./bitcoin";

export interface MnemonicDeviceOptions {
  /** BIP-39 passphrase (the Trezor "hidden wallet" passphrase); default empty. */
  passphrase?: string;
  /** The stack's network; "mainnet" triggers the warning below. */
  network?: string;
  /** Where the warning goes; default stderr. */
  warn?: (message: string) => void;
}

export const MAINNET_WARNING = [
  "",
  "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
  "!!  WARNING: a SOFTWARE device (BCM_DEVICE=mnemonic) is in use for MAINNET.  !!",
  "!!  The seed sits in this computer's memory and in a file on its disk.       !!",
  "!!  Anyone who reads either controls every key of this stack. Use a Trezor.  !!",
  "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
  "",
].join("\n");

export class MnemonicDevice implements Device {
  readonly #seed: Uint8Array;

  constructor(mnemonic: string, options: MnemonicDeviceOptions = {}) {
    const normalized = mnemonic.normalize("NFKD").trim().split(/\s+/).join(" ");
    if (!validateMnemonic(normalized, wordlist)) {
      throw new Error("not a valid BIP-39 English mnemonic (word list or checksum)");
    }
    this.#seed = mnemonicToSeedSync(normalized, options.passphrase ?? "");
    if (options.network === "mainnet") {
      (options.warn ?? ((m) => process.stderr.write(m + "\n")))(MAINNET_WARNING);
    }
  }

  async describe(): Promise<DeviceDescription> {
    return { kind: "software" };
  }

  /**
   * The raw private key at a path. Software only (a Trezor never reveals one); used to
   * export keys to throw-away GnuPG homes in tests and for development.
   */
  privateKeyAt(path: readonly number[], curve: CurveName): Uint8Array {
    return this.#node(path, curve).privateKey;
  }

  /** The public key and chain code at a path, as a PublicKey message's node carries them (software only). */
  publicNodeAt(path: readonly number[], curve: CurveName): { publicKey: Uint8Array; chainCode: Uint8Array } {
    const node = this.#node(path, curve);
    return { publicKey: nodePublicKey(node), chainCode: node.chainCode };
  }

  async getPublicKey(path: readonly number[], curve: CurveName): Promise<Uint8Array> {
    return nodePublicKey(this.#node(path, curve));
  }

  async cipherKeyValue(request: CipherKeyValueRequest): Promise<Uint8Array> {
    // SLIP-0011 always uses the secp256k1 node, whatever else the device is doing.
    return cipherKeyValueWithKey(this.#node(request.path, "secp256k1").privateKey, request);
  }

  async signIdentity(request: SignIdentityRequest): Promise<SignedIdentity> {
    const node = this.#node(identityPath(request.identity, SLIP13_PURPOSE), request.curve);
    const signature = signChallenge(
      node.privateKey,
      request.identity.proto,
      request.curve,
      request.challengeHidden,
      request.challengeVisual,
    );
    const publicKey = nodePublicKey(node);
    return request.curve === "secp256k1"
      ? { publicKey, signature, address: p2pkhAddress(publicKey) }
      : { publicKey, signature };
  }

  async getEcdhSessionKey(request: EcdhRequest): Promise<EcdhSessionKey> {
    const node = this.#node(identityPath(request.identity, SLIP17_PURPOSE), request.curve);
    return {
      publicKey: nodePublicKey(node),
      sessionKey: ecdhSessionKey(request.curve, node.privateKey, request.peerPublicKey),
    };
  }

  async close(): Promise<void> {}

  #node(path: readonly number[], curve: CurveName) {
    try {
      return deriveNode(this.#seed, curve, path);
    } catch (error) {
      throw new DeviceError((error as Error).message);
    }
  }
}
