// The Lightning node's secrets, from the device: one SLIP-0011 CipherKeyValue per cluster and
// chain, then HKDF-SHA256 for each use. This is a contract: a person recovers their node and
// its funds from the device with exactly these paths, labels and infos, so none may change.
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha2";
import { HARDENED } from "./bip32Path";
import { bytesToHex, utf8 } from "./bytes";
import { CipherKeyValueRequest, Device } from "./device";
import { UsageError } from "./usageError";

/** m/4342605'/1': "BCM" (0x42434D) as in the stack passphrase's path, account 1 for Lightning. */
export const LND_SECRET_PATH: readonly number[] = [(0x42434d | HARDENED) >>> 0, (1 | HARDENED) >>> 0];

/** The chains a Lightning node runs on (the data center's `bcm:chain`). */
export const LND_CHAINS = ["regtest", "signet", "testnet", "mainnet"] as const;
export type LndChain = (typeof LND_CHAINS)[number];

const CLUSTER = /^[A-Za-z0-9_.-]{1,100}$/;

/** The label the Trezor shows when it asks to confirm. */
export function lndSecretLabel(cluster: string, chain: LndChain): string {
    return `BCM lnd ${cluster} ${chain}`;
}

/** The CipherKeyValue that gives a cluster's Lightning secret: decrypt 32 zero bytes, asking once on the device. */
export function lndSecretRequest(cluster: string, chain: string): CipherKeyValueRequest {
    if (!CLUSTER.test(cluster)) throw new UsageError("--cluster", `not a cluster (stack) name: ${JSON.stringify(cluster)}`);
    if (!(LND_CHAINS as readonly string[]).includes(chain)) throw new UsageError("--chain", `must be one of ${LND_CHAINS.join(", ")}, got ${JSON.stringify(chain)}`);
    return {
        path: LND_SECRET_PATH,
        key: lndSecretLabel(cluster, chain as LndChain),
        value: new Uint8Array(32),
        encrypt: false,
        askOnEncrypt: false,
        askOnDecrypt: true,
    };
}

/** The 32-byte secret everything of the node derives from (one confirmation on the device). */
export async function lndSecret(device: Device, cluster: string, chain: string): Promise<Uint8Array> {
    return device.cipherKeyValue(lndSecretRequest(cluster, chain));
}

/** What lnd is given, derived from the secret. */
export interface LndSecrets {
    /** The aezeed's 16 bytes of entropy: lnd's BIP32 seed, so every key and address follows from it. */
    entropy: Uint8Array;
    /** The wallet's password: lowercase hex of 32 derived bytes. */
    walletPassword: string;
    /** lnd's macaroon root key (InitWallet's macaroon_root_key): the same macaroons after a rebuild. */
    macaroonRootKey: Uint8Array;
    /** The aezeed's 5-byte salt: with the birthday, the 24 words are the same every time. */
    aezeedSalt: Uint8Array;
}

const derive = (secret: Uint8Array, info: string, length: number) => hkdf(sha256, secret, new Uint8Array(0), utf8(info), length);

/** HKDF-SHA256 (salt empty) of the secret, one info per use. */
export function deriveLndSecrets(secret: Uint8Array): LndSecrets {
    if (secret.length !== 32) throw new Error(`lnd secret: ${secret.length} bytes; the device gives 32`);
    return {
        entropy: derive(secret, "bcm lnd aezeed entropy", 16),
        walletPassword: bytesToHex(derive(secret, "bcm lnd wallet password", 32)),
        macaroonRootKey: derive(secret, "bcm lnd macaroon root key", 32),
        aezeedSalt: derive(secret, "bcm lnd aezeed salt", 5),
    };
}
