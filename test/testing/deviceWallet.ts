// A BIP84 wallet from the device, for tests against the data center's Electrum server: the
// account's extended private key comes from the software device (the node at
// m/84'/<coin>'/<account>' and the master key's fingerprint, as a Trezor's GetPublicKey
// would give the public half), written as the `wpkh(...)` descriptors BDK takes. Checked
// against @scure/bip32 deriving the same seed on its own.
import { ripemd160 } from "@noble/hashes/legacy";
import { sha256 } from "@noble/hashes/sha2";
import { bech32 } from "@scure/base";
import { HDKey } from "@scure/bip32";
import { mnemonicToSeedSync } from "@scure/bip39";
import { HARDENED } from "../../device/bip32Path";
import { MnemonicDevice } from "../../device/mnemonicDevice";

/** BIP32 version bytes of testnet/regtest extended keys (tprv/tpub). */
const testVersions = { private: 0x04358394, public: 0x043587cf };

export interface DeviceWallet {
    /** `wpkh([fingerprint/84'/1'/account']tprv…/0/*)`: receive addresses. */
    descriptor: string;
    /** The same account's change addresses, `/1/*`. */
    changeDescriptor: string;
    /** The account's public key (tpub), as a watch-only wallet would hold it. */
    accountXpub: string;
    /** The P2WPKH address of keychain (0 receive, 1 change) and index, on regtest. */
    address(keychain: 0 | 1, index: number): string;
    /** Its scriptPubKey (hex): `0014` + HASH160 of the key. */
    script(keychain: 0 | 1, index: number): string;
}

const hash160 = (b: Uint8Array) => ripemd160(sha256(b));

/** BIP84 account `account` of the device's seed on regtest (coin type 1). */
export function deviceWallet(mnemonic: string, account: number): DeviceWallet {
    const device = new MnemonicDevice(mnemonic);
    const path = [84 + HARDENED, 1 + HARDENED, account + HARDENED];
    const master = device.publicNodeAt([], "secp256k1").publicKey;
    const parent = device.publicNodeAt(path.slice(0, 2), "secp256k1").publicKey;
    const node = device.publicNodeAt(path, "secp256k1");
    const fingerprint = (b: Uint8Array) => Buffer.from(hash160(b).slice(0, 4)).readUInt32BE(0);
    const key = new HDKey({
        versions: testVersions,
        depth: 3,
        index: path[2],
        parentFingerprint: fingerprint(parent),
        chainCode: node.chainCode,
        privateKey: device.privateKeyAt(path, "secp256k1"),
    });
    // The device's derivation is BIP32's: the same seed through @scure/bip32 gives the same account key.
    const independent = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic), testVersions).derive(`m/84'/1'/${account}'`);
    if (independent.privateExtendedKey !== key.privateExtendedKey) throw new Error(`deviceWallet: the device's m/84'/1'/${account}' is not BIP32's`);
    const origin = `[${fingerprint(master).toString(16).padStart(8, "0")}/84'/1'/${account}']`;
    const pubkey = (keychain: 0 | 1, index: number) => key.deriveChild(keychain).deriveChild(index).publicKey!;
    return {
        descriptor: `wpkh(${origin}${key.privateExtendedKey}/0/*)`,
        changeDescriptor: `wpkh(${origin}${key.privateExtendedKey}/1/*)`,
        accountXpub: key.publicExtendedKey,
        address: (keychain, index) => bech32.encode("bcrt", [0, ...bech32.toWords(hash160(pubkey(keychain, index)))]),
        script: (keychain, index) => "0014" + Buffer.from(hash160(pubkey(keychain, index))).toString("hex"),
    };
}

/** The Electrum protocol's script hash: SHA-256 of the scriptPubKey, byte-reversed, hex. */
export function scriptHash(scriptHex: string): string {
    return Buffer.from(sha256(Buffer.from(scriptHex, "hex"))).reverse().toString("hex");
}
