// The controller's OpenPGP certificate, from the device (`bcm init` writes it to
// $BCM_HOME/controller.asc): what the data center encrypts to its owner (channel backups),
// and what the device decrypts again. The certificate names its own user id, curve and
// creation time, so the key that decrypts is found from the file alone.
import * as fs from "node:fs";
import * as path from "node:path";
import * as openpgp from "openpgp";
import { Device } from "../../device/device";
import { GpgCurve, gpgIdentity } from "../../device/gpg/gpgIdentity";
import { GpgKey, gpgPublicKey } from "../../device/gpg/gpgPublicKey";
import { CliError } from "../cli/errors";

/** Where `bcm init` writes the controller's certificate. */
export const controllerCertificateFile = (home: string) => path.join(home, "controller.asc");

/** The user id a development device's certificate gets when `npm run up` makes it. */
export const developmentUserId = "BCM controller <controller@bcm.invalid>";

/** What the device needs to make the certificate's key again: its user id, curve and creation time. */
export async function certificateIdentity(armored: string): Promise<{ userId: string; curve: GpgCurve; created: number }> {
    const key = await openpgp.readKey({ armoredKey: armored });
    const userId = key.getUserIDs()[0];
    const params = key.keyPacket.getAlgorithmInfo();
    const curve: GpgCurve = params.algorithm === "eddsaLegacy" || params.algorithm === "ed25519" ? "ed25519" : "nist256p1";
    if (!userId) throw new CliError("the controller's certificate has no user id; make it again with `bcm init --user-id \"Name <mail>\"`");
    return { userId, curve, created: Math.floor(key.getCreationTime().getTime() / 1000) };
}

/** The device's key for the certificate in the BCM home (for decrypting what was encrypted to it). */
export async function controllerKey(home: string, device: Device): Promise<GpgKey> {
    const file = controllerCertificateFile(home);
    if (!fs.existsSync(file)) throw new CliError(`no controller certificate in ${home}; fix: run \`bcm init --user-id "Name <mail>"\` with this device`);
    const armored = fs.readFileSync(file, "utf8");
    const { userId, curve, created } = await certificateIdentity(armored);
    const key = await gpgPublicKey(device, gpgIdentity(userId, curve), { created });
    if (key.armored.replace(/\s+/g, "") !== armored.replace(/\s+/g, "")) {
        throw new CliError(`${file} was not made by this device (or passphrase); fix: use the device that ran \`bcm init\`, or run \`bcm init\` again with this one`);
    }
    return key;
}

/**
 * The controller's certificate for a deploy: the BCM home's, or, where allowed (`npm run up`
 * with its development device), one made now from the device and written as `bcm init` would.
 */
export async function controllerCertificate(home: string, device: () => Promise<Device>, allowCreate: boolean, say: (line: string) => void): Promise<string> {
    const file = controllerCertificateFile(home);
    if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
    if (!allowCreate) throw new CliError(`no controller certificate in ${home}: the data center encrypts its owner's backups to it; fix: run \`bcm init --user-id "Name <mail>"\` first`);
    const d = await device();
    try {
        const key = await gpgPublicKey(d, gpgIdentity(developmentUserId));
        fs.mkdirSync(home, { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, key.armored);
        say(`controller certificate: ${file} (made from the development device for "${developmentUserId}")`);
        return key.armored;
    } finally {
        await d.close();
    }
}
