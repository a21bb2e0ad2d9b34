import { cleanMessage, gpgsigHeader } from "./gitSignedObjects";

test("message cleanup matches git's for -m", () => {
  expect(cleanMessage("subject  \n\n body\t\n\n\n")).toBe("subject\n\n body\n");
  expect(() => cleanMessage(" \n\n")).toThrow(/empty/);
});

test("gpgsig continuation lines are indented, blank lines become a single space", () => {
  expect(gpgsigHeader("-----BEGIN PGP SIGNATURE-----\nVersion: x\n\nAAAA\n-----END PGP SIGNATURE-----\n")).toBe(
    "gpgsig -----BEGIN PGP SIGNATURE-----\n Version: x\n \n AAAA\n -----END PGP SIGNATURE-----\n",
  );
});
