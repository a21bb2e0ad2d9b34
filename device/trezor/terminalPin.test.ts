import fc from "fast-check";
import { pinKeystrokes } from "./terminalPin";

const typeAll = (keys: string) => {
  let state: ReturnType<typeof pinKeystrokes> = { typed: "" };
  for (const key of keys) {
    state = pinKeystrokes(state.typed, key);
    if (state.done) break;
  }
  return state;
};

test("positions 1-9 are kept, Backspace erases, Enter ends, Ctrl-C cancels", () => {
  expect(typeAll("12a3\r")).toEqual({ typed: "123", done: "entered" });
  expect(typeAll("129\u007f4\n")).toEqual({ typed: "124", done: "entered" });
  expect(typeAll("12\u0003")).toEqual({ typed: "12", done: "cancelled" });
});

test("whatever is typed, only positions 1-9 ever reach the device", () => {
  fc.assert(fc.property(fc.string(), (keys) => expect(typeAll(keys).typed).toMatch(/^[1-9]*$/)));
});
