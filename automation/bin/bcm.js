#!/usr/bin/env node
// The `bcm` command: runs the TypeScript CLI in automation/cli through ts-node, which only
// transpiles, with swc (types are checked by `tsc` in the test command); start-up stays
// well under a second of compile time.
"use strict";
const path = require("node:path");
require("ts-node").register({
    transpileOnly: true,
    swc: true,
    project: path.join(__dirname, "..", "..", "tsconfig.json"),
});
require("../cli/main").main(process.argv.slice(2));
