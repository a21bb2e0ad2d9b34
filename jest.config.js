// Two projects: fast unit tests (pure functions, mocks) and integration tests that
// drive the real engine and daemons. ESM-only dependencies (execa and its helpers)
// are transformed to CommonJS because jest's module loader cannot require ESM.
const esmOnly = [
  "execa", "@sindresorhus", "figures", "get-stream", "human-signals", "is-plain-obj", "is-stream",
  "is-unicode-supported", "npm-run-path", "parse-ms", "path-key", "pretty-ms", "strip-final-newline",
  "unicorn-magic", "yoctocolors",
];
const base = {
  testEnvironment: "node",
  transform: {
    "^.+\\.[tj]s$": ["ts-jest", { isolatedModules: true, tsconfig: { allowJs: true } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join("|")})/)`],
  modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/toolchain/"],
};
module.exports = {
  projects: [
    { ...base, displayName: "unit", testMatch: ["<rootDir>/**/*.test.ts"], testPathIgnorePatterns: ["/node_modules/", "\\.it\\.test\\.ts$"] },
    { ...base, displayName: "integration", testMatch: ["<rootDir>/**/*.it.test.ts"], testTimeout: 20 * 60 * 1000 },
  ],
};
