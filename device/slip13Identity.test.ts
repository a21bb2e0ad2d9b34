import fc from "fast-check";
import { formatBip32Path } from "./bip32Path";
import { identityPath, parseIdentityUri, serializeIdentity } from "./slip13Identity";

describe("SLIP-0013 identity path", () => {
  // SLIP-0013 "Worked example"; the same paths appear as comments in trezor-firmware
  // tests/device_tests/misc/test_msg_signidentity.py.
  test("worked example: https://satoshi@bitcoin.org/login, index 0", () => {
    const identity = { proto: "https", user: "satoshi", host: "bitcoin.org", path: "/login", index: 0 };
    expect(serializeIdentity(identity)).toBe("https://satoshi@bitcoin.org/login");
    expect(identityPath(identity, 13)).toEqual([2147483661, 2637750992, 2845082444, 3761103859, 4005495825]);
  });

  test("ftp://satoshi@bitcoin.org:2323/pub, index 3", () => {
    const identity = { proto: "ftp", user: "satoshi", host: "bitcoin.org", port: "2323", path: "/pub", index: 3 };
    expect(identityPath(identity, 13)).toEqual([2147483661, 3098912377, 2734671409, 3632509519, 3125730426]);
  });

  test("ssh://satoshi@bitcoin.org, index 47", () => {
    const identity = { proto: "ssh", user: "satoshi", host: "bitcoin.org", index: 47 };
    expect(identityPath(identity, 13)).toEqual([2147483661, 4111640159, 2980290904, 2332131323, 3701645358]);
  });

  test("SLIP-0017 differs from SLIP-0013 only in the first component", () => {
    const identity = { proto: "gpg", host: "Satoshi Nakamoto <satoshi@bitcoin.org>" };
    const [p13, ...rest13] = identityPath(identity, 13);
    const [p17, ...rest17] = identityPath(identity, 17);
    expect(formatBip32Path([p13])).toBe("m/13'");
    expect(formatBip32Path([p17])).toBe("m/17'");
    expect(rest17).toEqual(rest13);
  });
});

describe("trezor-agent identity strings", () => {
  test.each([
    ["user@host", { user: "user", host: "host" }],
    ["ssh://user@host:2222", { proto: "ssh", user: "user", host: "host", port: "2222" }],
    ["https://satoshi@bitcoin.org/login", { proto: "https", user: "satoshi", host: "bitcoin.org", path: "/login" }],
    ["host", { host: "host" }],
    ["gpg://", { proto: "gpg" }],
    ["a@b@c", { user: "a@b", host: "c" }],
  ])("%s", (text, expected) => {
    expect(parseIdentityUri(text)).toEqual(expected);
  });

  test("parse then serialize is the identity for URIs built from plain parts", () => {
    const word = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,10}$/);
    fc.assert(
      fc.property(
        fc.record({ proto: word, user: word, host: word, port: fc.stringMatching(/^\d{1,5}$/), path: word.map((w) => "/" + w) }, { requiredKeys: ["host"] }),
        (identity) => {
          const text = serializeIdentity(identity);
          expect(serializeIdentity(parseIdentityUri(text))).toBe(text);
        },
      ),
    );
  });
});
