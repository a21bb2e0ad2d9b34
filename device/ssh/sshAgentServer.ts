// An ssh-agent on a unix socket, backed by the device. OpenSSH (SSH_AUTH_SOCK or
// IdentityAgent) and @pulumi/command remote connections (agentSocketPath) speak to it.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { concatBytes, uint32BE } from "../bytes";
import { Device } from "../device";
import { AgentKey, handleAgentRequest, SSH_AGENT_FAILURE } from "./sshAgentProtocol";
import { SshIdentity, sshPublicKey } from "./sshIdentity";
import { signSshData } from "./sshSignature";

export interface RunningSshAgent {
  readonly socketPath: string;
  /** The `SSH_AUTH_SOCK=...` environment to hand to child processes. */
  readonly environment: { SSH_AUTH_SOCK: string };
  close(): Promise<void>;
}

export interface SshAgentOptions {
  /** Where to listen; default a fresh 0700 directory under the temp dir. */
  socketPath?: string;
  /** Called when a sign request is about to go to the device (e.g. "confirm on your Trezor"). */
  onSignRequest?: (label: string) => void;
}

/** Largest request accepted; OpenSSH's own agent limit is 256 KiB. */
const MAX_MESSAGE = 256 * 1024;

export async function startSshAgent(device: Device, identities: readonly SshIdentity[], options: SshAgentOptions = {}): Promise<RunningSshAgent> {
  // Public keys are read once up front, so listing identities never needs the device.
  const publicKeys = [];
  for (const identity of identities) publicKeys.push(await sshPublicKey(device, identity));
  const deviceQueue = serialised();
  const keys: AgentKey[] = publicKeys.map((pk) => ({
    blob: pk.blob,
    comment: pk.identity.label,
    sign: (data) =>
      deviceQueue(() => {
        options.onSignRequest?.(pk.identity.label);
        return signSshData(device, pk.identity, data);
      }),
  }));

  let ownDirectory: string | undefined;
  let socketPath = options.socketPath;
  if (!socketPath) {
    ownDirectory = mkdtempSync(join(tmpdir(), "bcm-ssh-agent-"));
    chmodSync(ownDirectory, 0o700);
    socketPath = join(ownDirectory, "agent.sock");
  }
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveConnection(socket, keys);
  });
  await listen(server, socketPath);
  chmodSync(socketPath, 0o600);

  return {
    socketPath,
    environment: { SSH_AUTH_SOCK: socketPath },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownDirectory) rmSync(ownDirectory, { recursive: true, force: true });
    },
  };
}

function serveConnection(socket: Socket, keys: readonly AgentKey[]): void {
  let buffered: Uint8Array = new Uint8Array(0);
  let chain = Promise.resolve();
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk) => {
    buffered = concatBytes(buffered, chunk);
    for (;;) {
      if (buffered.length < 4) return;
      const length = new DataView(buffered.buffer, buffered.byteOffset, 4).getUint32(0, false);
      if (length === 0 || length > MAX_MESSAGE) {
        socket.destroy();
        return;
      }
      if (buffered.length < 4 + length) return;
      const request = buffered.slice(4, 4 + length);
      buffered = buffered.slice(4 + length);
      // Responses must go out in request order, so each waits for the one before.
      chain = chain.then(async () => {
        let response: Uint8Array;
        try {
          response = await handleAgentRequest(request, keys);
        } catch {
          response = Uint8Array.of(SSH_AGENT_FAILURE); // e.g. refused on the device
        }
        if (!socket.destroyed) socket.write(concatBytes(uint32BE(response.length), response));
      });
    }
  });
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Runs tasks one at a time: a Trezor handles one request at once. */
function serialised() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
