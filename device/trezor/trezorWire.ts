// The request/response loop of the Trezor wire protocol for one operation: send the
// request, acknowledge button requests while the user confirms on the device, answer
// PIN/passphrase requests, and stop at the expected reply or a Failure.
import { DeviceError } from "../device";
import { trezorFailure } from "./trezorFailure";
import { Payload } from "./trezorMessages";

export interface WireMessage {
  type: string;
  message: Payload;
}

/** One request, one reply: a transport session or a test double. */
export interface TrezorWire {
  call(name: string, data: Payload): Promise<WireMessage>;
}

/** How the wallet passphrase is given: empty (standard wallet), typed on the device, or this string. */
export type PassphraseMode = { kind: "empty" } | { kind: "on-device" } | { kind: "host"; passphrase: string };

export interface TrezorInteraction {
  passphrase: PassphraseMode;
  /** Told each time the device waits for a button press (e.g. to print "confirm on your Trezor"). */
  onButtonRequest?: (code: unknown) => void;
  /**
   * Scrambled-matrix PIN entry (Model One): the positions the person types, read off the
   * matrix on the device. Without it a locked device cannot be used.
   */
  pinMatrix?: () => Promise<string>;
}

const MAX_ROUNDS = 16;

export async function callWithInteraction(
  wire: TrezorWire,
  name: string,
  data: Payload,
  expected: string,
  interaction: TrezorInteraction,
): Promise<Payload> {
  let reply = await wire.call(name, data);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    switch (reply.type) {
      case expected:
        return reply.message;
      case "Failure":
        throw trezorFailure(stringOrUndefined(reply.message.code), stringOrUndefined(reply.message.message));
      case "ButtonRequest":
        interaction.onButtonRequest?.(reply.message.code);
        reply = await wire.call("ButtonAck", {});
        break;
      case "PinMatrixRequest": {
        let pin: string;
        try {
          if (!interaction.pinMatrix) throw new DeviceError("the Trezor is locked and BCM has no way to ask for its PIN here: run the command in a terminal");
          pin = await interaction.pinMatrix();
        } catch (error) {
          // The device waits for a PinMatrixAck: cancel, so it is free for the next request.
          await wire.call("Cancel", {}).catch(() => undefined);
          throw error;
        }
        reply = await wire.call("PinMatrixAck", { pin });
        break;
      }
      case "PassphraseRequest": {
        const mode = interaction.passphrase;
        // NFKD, as BIP-39 and @trezor/connect normalise it.
        const ack = mode.kind === "on-device" ? { on_device: true } : { passphrase: (mode.kind === "host" ? mode.passphrase : "").normalize("NFKD") };
        reply = await wire.call("PassphraseAck", ack);
        break;
      }
      default:
        throw new DeviceError(`unexpected reply ${reply.type} to ${name}`);
    }
  }
  throw new DeviceError(`too many interaction rounds for ${name}`);
}

const stringOrUndefined = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
