#!/usr/bin/env node
// @ts-check
/**
 * Builds the web console into the Worker's static assets (`public/`, served at `/console/`): bundles
 * `console/src/main.ts` with esbuild (minified, one ES module), copies the page, its styles and icon, and
 * writes `public/_headers` (the console's Content-Security-Policy: nothing loads from anywhere else).
 * Fails when the console weighs more than its gzipped budget. `npm start`, `npm test` and
 * `npm run test:console` run it first; the output is not committed (only `public/.assetsignore` is, so
 * that the directory wrangler.toml names exists before a build).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { CONSOLE_BUDGET_KIB } from "./console-budget.mjs";

const source = "console";
const out = "public";
const consoleOut = join(out, "console");

// Written over in place (a running `wrangler dev` serves the directory: it never goes missing), then
// whatever an earlier build left that this one did not write is removed.
mkdirSync(consoleOut, { recursive: true });
await build({
  entryPoints: [join(source, "src", "main.ts")],
  outfile: join(consoleOut, "app.js"),
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
});
const copied = ["index.html", "app.css", "favicon.svg"];
for (const file of copied) copyFileSync(join(source, file), join(consoleOut, file));
copyFileSync(join(source, "_headers"), join(out, "_headers"));
const written = new Set(["app.js", ...copied]);
for (const name of readdirSync(consoleOut)) if (!written.has(name)) rmSync(join(consoleOut, name), { recursive: true, force: true });

const files = readdirSync(consoleOut, { recursive: true, encoding: "utf8" })
  .map((name) => join(consoleOut, name))
  .filter((path) => statSync(path).isFile());
const sizes = files.map((path) => ({ path, gzip: gzipSync(readFileSync(path), { level: 9 }).length }));
const total = sizes.reduce((n, s) => n + s.gzip, 0);
const kib = (/** @type {number} */ n) => (n / 1024).toFixed(1);
console.log(`console: ${sizes.map((s) => `${s.path.slice(consoleOut.length + 1)} ${kib(s.gzip)}`).join(", ")} KiB gzipped; ${kib(total)} of ${CONSOLE_BUDGET_KIB} KiB`);
if (total > CONSOLE_BUDGET_KIB * 1024) {
  console.error(`The console weighs ${kib(total)} KiB gzipped, beyond its budget of ${CONSOLE_BUDGET_KIB} KiB.`);
  process.exit(1);
}
