// Two projects: fast unit tests (pure functions, mocks) and integration tests that drive
// the real engine and daemons (`*.it.test.ts`).
const fs = require("node:fs");
const path = require("node:path");

// jest's module loader cannot require ES modules, and execa and its helpers ship only ESM:
// find every ESM-only package once and let ts-jest compile it to CommonJS.
function esmOnlyPackages() {
  const names = new Set();
  const scan = (root, depth) => {
    if (depth > 3 || !fs.existsSync(root)) return;
    for (const entry of fs.readdirSync(root)) {
      const dirs = entry.startsWith("@") ? fs.readdirSync(path.join(root, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const name of dirs) {
        try {
          const pkg = JSON.parse(fs.readFileSync(path.join(root, name, "package.json"), "utf8"));
          if (pkg.type === "module") names.add(name.replace(/[.+]/g, "\\$&"));
        } catch { /* not a package */ }
        scan(path.join(root, name, "node_modules"), depth + 1);
      }
    }
  };
  scan(path.join(__dirname, "node_modules"), 0);
  return [...names];
}

const base = {
  testEnvironment: "node",
  transform: {
    "^.+\\.[tj]s$": ["ts-jest", { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  // A file is left alone unless an ESM-only package holds it, at whatever depth: an ESM-only
  // package nested under a CommonJS one (@trezor/device-authenticity's @noble/curves 2)
  // needs compiling too.
  transformIgnorePatterns: [`^(?!.*/node_modules/(${esmOnlyPackages().join("|")})/).*/node_modules/`],
  // unicorn-magic exports only an "import" condition, which jest's resolver never asks for.
  moduleNameMapper: { "^unicorn-magic$": "<rootDir>/node_modules/unicorn-magic/node.js" },
  modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/toolchain/"],
};

module.exports = {
  // Integration tests drive real daemons and builds; jest reads the timeout only here, not per project.
  testTimeout: 20 * 60 * 1000,
  projects: [
    {
      ...base,
      displayName: "unit",
      testMatch: ["<rootDir>/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", "\\.it\\.test\\.ts$"],
    },
    { ...base, displayName: "integration", testMatch: ["<rootDir>/**/*.it.test.ts"] },
  ],
};
