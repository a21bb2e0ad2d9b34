#!/usr/bin/env node
// The `bcm` command. In the repository it runs the TypeScript CLI in automation/cli through
// ts-node, which only transpiles, with swc (types are checked by `tsc` in the test command),
// so start-up stays well under a second of compile time; in an installed package (no
// sources) it runs the compiled CLI in dist/.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const root = path.join(__dirname, "..", "..");
if (fs.existsSync(path.join(root, "automation", "cli", "main.ts"))) {
    require("ts-node").register({ transpileOnly: true, swc: true, project: path.join(root, "tsconfig.json") });
    require("../cli/main").main(process.argv.slice(2));
} else {
    require(path.join(root, "dist", "automation", "cli", "main.js")).main(process.argv.slice(2));
}
