// The PIN of a Model One, typed on the controlling terminal: the device shows its digits
// scrambled on a 3x3 grid and the person types the positions, keypad style (7 8 9 on top,
// 1 2 3 at the bottom), so the digits themselves never reach the computer. Read from
// /dev/tty, not standard input, which may carry a command's data (`bcm pass insert`); the
// input is not echoed.
import { openSync } from "node:fs";
import { ReadStream, WriteStream } from "node:tty";
import { DeviceError } from "../device";

const PROMPT = "Enter the PIN by the positions shown on your Trezor (7 8 9 / 4 5 6 / 1 2 3), then Enter: ";

/** Keeps what a PIN position may be; Enter ends, Backspace erases, Ctrl-C or Ctrl-D cancels. */
export function pinKeystrokes(typed: string, key: string): { typed: string; done?: "entered" | "cancelled" } {
  if (key === "\r" || key === "\n") return { typed, done: "entered" };
  if (key === "\u0003" || key === "\u0004") return { typed, done: "cancelled" };
  if (key === "\u007f" || key === "\b") return { typed: typed.slice(0, -1) };
  return /^[1-9]$/.test(key) ? { typed: typed + key } : { typed };
}

export function askPinOnTerminal(): Promise<string> {
  let input: ReadStream;
  let output: WriteStream;
  try {
    // Two descriptors, each closed by its own stream.
    input = new ReadStream(openSync("/dev/tty", "r"));
    output = new WriteStream(openSync("/dev/tty", "w"));
  } catch {
    return Promise.reject(new DeviceError("the Trezor asks for its PIN and there is no terminal to type it on: run the command in a terminal"));
  }
  output.write(PROMPT);
  input.setRawMode(true);
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = (result: () => void) => {
      input.setRawMode(false);
      input.off("data", onData);
      output.write("\n");
      input.destroy();
      output.destroy();
      result();
    };
    const onData = (chunk: Buffer) => {
      for (const key of chunk.toString("utf8")) {
        const next = pinKeystrokes(typed, key);
        typed = next.typed;
        if (next.done === "cancelled") return finish(() => reject(new DeviceError("PIN entry was cancelled at the terminal: run the command again and enter the Trezor's PIN", "Failure_PinCancelled")));
        if (next.done === "entered") return finish(() => resolve(typed));
      }
    };
    input.on("data", onData);
  });
}
