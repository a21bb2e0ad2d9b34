// `bcm device|ssh|gpg|file|pass|git`: the command-line face of automation/cli/deviceCommands.ts.
// Each action prints exactly what the device layer returns; malformed values throw its
// UsageError (exit 2) before any device is opened.
import { Command } from "commander";
import * as cmd from "../deviceCommands";

/** Prints a command's output verbatim (it carries its own final newline). */
const print = (text: string): void => {
    process.stdout.write(text);
};

/** Reads all of standard input (for secrets, which never belong on a command line). */
async function readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

const gpgKeyOptions = (c: Command): Command =>
    c
        .option("--curve <curve>", "nist256p1 (default) or ed25519")
        .option("--time <seconds>", "the key's creation time, unix seconds (trezor-agent's --time); default 0");

export function registerDevice(program: Command): void {
    const device = program
        .command("device")
        .description("raw device operations (Trezor, or the software device with BCM_DEVICE=mnemonic)");
    device
        .command("cipher-key-value")
        .description("SLIP-0011 CipherKeyValue: encrypt or decrypt a value (a multiple of 16 bytes) under a path and key")
        .requiredOption("--path <bip32 path>", "e.g. m/10016'/0")
        .requiredOption("--key <label>", "the label the device shows")
        .requiredOption("--value <hex>", "the value, hex, a multiple of 16 bytes")
        .option("--encrypt", "encrypt the value")
        .option("--decrypt", "decrypt the value")
        .option("--ask-on-encrypt", "the device asks before encrypting")
        .option("--ask-on-decrypt", "the device asks before decrypting")
        .option("--iv <hex>", "a 16-byte IV, hex")
        .action(async (o) => print(await cmd.deviceCipherKeyValue(o)));
    device
        .command("sign-identity")
        .description("SLIP-0013 SignIdentity: prints {publicKey, signature, address?} as the firmware returns them")
        .requiredOption("--identity <uri>", "e.g. ssh://user@host or gpg://Name <mail>")
        .option("--index <n>", "identity index", "0")
        .option("--curve <curve>", "secp256k1 (default), nist256p1 or ed25519")
        .requiredOption("--challenge-hidden <hex>", "the hidden challenge, hex")
        .option("--challenge-visual <text>", "the visual challenge", "")
        .action(async (o) => print(await cmd.deviceSignIdentity(o)));
    device
        .command("ecdh")
        .description("SLIP-0017 GetECDHSessionKey: prints {publicKey, sessionKey}")
        .requiredOption("--identity <uri>", "the identity URI")
        .option("--index <n>", "identity index", "0")
        .requiredOption("--curve <curve>", "secp256k1, nist256p1 or curve25519")
        .requiredOption("--peer-public-key <hex>", "the peer's public key, hex")
        .action(async (o) => print(await cmd.deviceEcdh(o)));
}

export function registerSsh(program: Command): void {
    const ssh = program.command("ssh").description("SSH identities from the device, identical to trezor-agent's");
    ssh.command("pubkey <user@host>")
        .description("print the OpenSSH public key line for user@host")
        .option("--curve <curve>", "nist256p1 (default) or ed25519")
        .action(async (identity: string, o) => print(await cmd.sshPubkey({ ...o, identity })));
    ssh.command("agent <user@host...>")
        .description("run an ssh-agent holding these identities until interrupted; prints the SSH_AUTH_SOCK line")
        .option("--curve <curve>", "nist256p1 (default) or ed25519")
        .option("--socket <path>", "the agent's unix socket (default: a new one in a private temp directory)")
        .action(async (identities: string[], o) => {
            const { output, agent, device } = await cmd.sshAgent({ ...o, identities });
            print(output);
            await new Promise<void>((resolve) => {
                process.once("SIGINT", resolve);
                process.once("SIGTERM", resolve);
            });
            await agent.close();
            await device.close();
        });
}

export function registerGpg(program: Command): void {
    const gpg = program.command("gpg").description("OpenPGP keys from the device, identical to trezor-agent's");
    gpgKeyOptions(gpg.command("pubkey <user-id>"))
        .description("print the armored public key (primary and ECDH subkey)")
        .action(async (userId: string, o) => print(await cmd.gpgPubkey({ ...o, userId })));
}

export function registerFile(program: Command): void {
    const file = program.command("file").description("encrypt, decrypt, sign and verify files with the device's OpenPGP key");
    const fileCommand = (name: string, description: string) =>
        gpgKeyOptions(file.command(name))
            .description(description)
            .requiredOption("-u, --user-id <user id>", "the key's user id, e.g. \"Satoshi <s@example.org>\"")
            .requiredOption("-i, --input <file>", "the input file")
            .option("-o, --output <file>", "write here instead of standard output");
    fileCommand("encrypt", "encrypt to the device key (and any --recipient-key)")
        .option("--recipient-key <file...>", "more recipients' armored public keys")
        .action(async (o) => print(await cmd.fileEncrypt({ ...o, recipientKeys: o.recipientKey })));
    fileCommand("decrypt", "decrypt with the device key").action(async (o) => print(await cmd.fileDecrypt(o)));
    fileCommand("sign", "make an armored detached signature").action(async (o) => print(await cmd.fileSign(o)));
    fileCommand("verify", "verify a detached signature (exit 1 if it does not verify)")
        .requiredOption("-s, --signature <file>", "the detached signature")
        .action(async (o) => print(await cmd.fileVerify(o)));
}

export function registerPass(program: Command): void {
    const pass = program.command("pass").description("a pass-compatible password store encrypted to the device key");
    const passCommand = (spec: string, description: string) =>
        gpgKeyOptions(pass.command(spec))
            .description(description)
            .requiredOption("-u, --user-id <user id>", "the key's user id", process.env.BCM_GPG_USER_ID)
            .option("--store <dir>", "the store (default $PASSWORD_STORE_DIR or ~/.password-store)");
    passCommand("init", "create a store whose .gpg-id names the device key")
        .option("--git", "track the store in git, every change a signed commit")
        .action(async (o) => print(await cmd.passInit(o)));
    passCommand("new <name>", "generate, store and print a password")
        .option("--length <n>", "length", "25")
        .option("--no-symbols", "letters and digits only")
        .option("-f, --force", "overwrite an existing entry")
        .action(async (name: string, o) => print(await cmd.passNew({ ...o, name })));
    passCommand("insert <name>", "store a secret read from standard input")
        .option("-m, --multiline", "keep every line of the input")
        .option("-f, --force", "overwrite an existing entry")
        .action(async (name: string, o) => {
            const input = await readStdin();
            const secret = o.multiline ? input : input.replace(/\r?\n$/, "");
            print(await cmd.passInsert({ ...o, name, secret }));
        });
    passCommand("get <name>", "print an entry").action(async (name: string, o) => print(await cmd.passGet({ ...o, name })));
    passCommand("list", "list the entries").action(async (o) => print(await cmd.passList(o)));
    passCommand("rm <name>", "remove an entry").action(async (name: string, o) => print(await cmd.passRm({ ...o, name })));
}

export function registerGit(program: Command): void {
    const git = program.command("git").description("sign git commits and tags with the device's OpenPGP key");
    const gitCommand = (spec: string, description: string) =>
        gpgKeyOptions(git.command(spec))
            .description(description)
            .requiredOption("-u, --user-id <user id>", "the key's user id", process.env.BCM_GPG_USER_ID)
            .requiredOption("-m, --message <message>", "the message")
            .option("--repo <dir>", "the repository (default: the working directory)");
    gitCommand("commit", "commit the index, signed; prints the commit id").action(async (o) => print(await cmd.gitCommit(o)));
    gitCommand("tag <name>", "a signed annotated tag; prints the tag object id")
        .option("--target <rev>", "what to tag (default HEAD)")
        .action(async (name: string, o) => print(await cmd.gitTag({ ...o, name })));
}
