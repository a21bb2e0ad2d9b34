// @trezor/connect in Node, on one @trezor/transport instance, holding one session on the
// device for as long as BCM uses it.
//
// Connect's Node entry runs its core in this process: no iframe, no popup (it forces
// `popup: false` and answers its own "open a window" request), so its UI questions (PIN,
// passphrase, button) arrive as events that this file answers. Connect does what it can:
// GetFeatures and CipherKeyValue. It cannot, in 9.7.3:
//   - SignIdentity: its only caller, `requestLogin`, builds the identity from the web
//     origin (proto, host, port; no user, no path; index 0), not from the caller;
//   - GetECDHSessionKey: no method sends it;
//   - GetPublicKey on a curve only: `getPublicKey` always sends coin_name "Bitcoin" and,
//     unless the key is shown on the device, derives a child and checks the xpub with
//     secp256k1 arithmetic, which fails for ed25519 and curve25519 and is wrong for
//     nist256p1.
// Those three go over the raw wire (`wire()`), through the same transport, on the session
// Connect acquired and keeps (`keepSession`). Connect releases it after any failed call;
// `wire()` then has Connect acquire it again, so there is never a second session.
import type { Descriptor, Session, Transport } from "@trezor/transport";
import { hexToBytes } from "../bytes";
import { CipherKeyValueRequest, DeviceError } from "../device";
import { keepFetchOnLoopback } from "./offlineFetch";
import { trezorFailure } from "./trezorFailure";
import { cipherKeyValueParams, Payload } from "./trezorMessages";
import { createTransport, TransportChoice } from "./transports";
import { TrezorInteraction, TrezorWire, WireMessage } from "./trezorWire";

type ConnectModule = typeof import("@trezor/connect");
type Connect = ConnectModule["default"];
type ConnectResponse<T> = { success: true; payload: T } | { success: false; payload: { error: string; code?: string } };

export interface ConnectLinkOptions {
  transport: TransportChoice;
  interaction: TrezorInteraction;
  /** How long to wait for a device to answer the first time. */
  waitMs: number;
  /** Told once when no device is there yet (so the person can plug it in). */
  onWaiting?: () => void;
}

/** The device Connect holds for us: its public transport path and the session. */
type Held = { path: Descriptor["path"]; session: Session };

const MANIFEST = { appName: "Bitcoin Cache Machine", appUrl: "https://github.com/BitcoinCacheMachine", email: "bcm@localhost" };

export class ConnectLink {
  #held: Held | undefined;
  /** Why BCM could not answer Connect's last question (a PIN it could not read), if so. */
  #interactionError: Error | undefined;

  private constructor(
    private readonly connect: Connect,
    private readonly ui: ConnectModule["UI"],
    private readonly transport: Transport,
    private readonly options: ConnectLinkOptions,
    private readonly restoreFetch: () => void,
    /** The device's Features, from the GetFeatures that opened the link. */
    public features: Payload = {},
  ) {}

  static async open(options: ConnectLinkOptions): Promise<ConnectLink> {
    const restoreFetch = keepFetchOnLoopback();
    const transport = await createTransport(options.transport);
    const { default: connect, UI, UI_EVENT } = await import("@trezor/connect");
    const link = new ConnectLink(connect, UI, transport, options, restoreFetch);
    try {
      // No reconnect loop: a missing transport is reported (and BCM exits) rather than retried in the background.
      await connect.init({ manifest: MANIFEST, transports: [transport], lazyLoad: false, popup: false, debug: false, transportReconnect: false });
      connect.on(UI_EVENT, (event: { type: string; payload?: unknown }) => link.#onUiEvent(event));
      link.features = await link.#acquire(options.waitMs);
      return link;
    } catch (error) {
      await link.close();
      throw error;
    }
  }

  async cipherKeyValue(request: CipherKeyValueRequest): Promise<Uint8Array> {
    const params = { ...cipherKeyValueParams(request), useEmptyPassphrase: this.options.interaction.passphrase.kind === "empty", keepSession: true };
    const payload = await this.#result<{ value: string }>(this.connect.cipherKeyValue(params as unknown as Parameters<Connect["cipherKeyValue"]>[0]));
    return hexToBytes(payload.value);
  }

  /** One request/response at a time on the session Connect holds (acquired again if it was let go). */
  async wire(): Promise<TrezorWire> {
    const { session } = await this.#heldSession();
    return {
      call: async (name: string, data: Payload): Promise<WireMessage> => {
        const result = await this.transport.call({ session, name, data });
        if (!result.success) throw new DeviceError(`the Trezor stopped answering (${result.error}): check its cable and run the command again`, result.error);
        return { type: result.payload.type, message: (result.payload.message ?? {}) as Payload };
      },
    };
  }

  async close(): Promise<void> {
    const held = this.#held;
    this.#held = undefined;
    if (held) await this.transport.release({ path: held.path, session: held.session }).catch(() => undefined);
    this.connect.dispose(); // stops the transport too
    this.restoreFetch();
  }

  /** GetFeatures through Connect, which acquires the device and keeps the session. */
  async #acquire(waitMs?: number): Promise<Payload> {
    const call = this.#result<Payload>(this.connect.getFeatures({ keepSession: true }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      if (waitMs !== undefined) timer = setTimeout(() => reject(trezorFailure("Device_NotFound", undefined)), waitMs);
    });
    try {
      const features = await Promise.race([call, timeout]);
      const listed = await this.transport.enumerate();
      const held = listed.success ? listed.payload.filter((d) => d.session) : [];
      if (held.length !== 1) throw new DeviceError(`${held.length} Trezor sessions are open: connect only the Trezor BCM should use`);
      this.#held = { path: held[0].path, session: held[0].session as Session };
      return features;
    } finally {
      clearTimeout(timer);
    }
  }

  async #heldSession(): Promise<Held> {
    const held = this.#held;
    if (held) {
      const listed = await this.transport.enumerate();
      if (listed.success && listed.payload.some((d) => d.path === held.path && d.session === held.session)) return held;
    }
    this.#held = undefined;
    await this.#acquire();
    return this.#held!;
  }

  async #result<T>(response: Promise<unknown>): Promise<T> {
    const r = (await response) as ConnectResponse<T>;
    const interactionError = this.#interactionError;
    this.#interactionError = undefined;
    if (r.success) return r.payload;
    if (interactionError) throw interactionError;
    throw trezorFailure(r.payload.code, r.payload.error);
  }

  #onUiEvent(event: { type: string; payload?: unknown }): void {
    const { interaction } = this.options;
    const UI = this.ui;
    const payload = (event.payload ?? {}) as Record<string, unknown>;
    switch (event.type) {
      case UI.REQUEST_BUTTON:
        interaction.onButtonRequest?.(payload.code);
        break;
      case UI.REQUEST_PASSPHRASE_ON_DEVICE:
        interaction.onButtonRequest?.("ButtonRequest_PassphraseEntry");
        break;
      case UI.SELECT_DEVICE:
        // Connect waits for a device to appear; #acquire bounds the wait.
        this.options.onWaiting?.();
        break;
      case UI.REQUEST_PIN:
        void this.#answerPin();
        break;
      case UI.REQUEST_PASSPHRASE: {
        const mode = interaction.passphrase;
        const value = mode.kind === "host" ? mode.passphrase : "";
        this.connect.uiResponse({ type: UI.RECEIVE_PASSPHRASE, payload: { value, passphraseOnDevice: mode.kind === "on-device", save: true } });
        break;
      }
    }
  }

  async #answerPin(): Promise<void> {
    let pin: string | undefined;
    try {
      if (!this.options.interaction.pinMatrix) throw new DeviceError("the Trezor is locked and BCM has no way to ask for its PIN here: run the command in a terminal");
      pin = await this.options.interaction.pinMatrix();
    } catch (error) {
      this.#interactionError = error as Error;
    }
    // Without a PIN Connect cancels the request on the device; #result reports why.
    this.connect.uiResponse({ type: this.ui.RECEIVE_PIN, payload: pin as string });
  }
}
