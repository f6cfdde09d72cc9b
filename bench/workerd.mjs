// @ts-check
/**
 * What `npm run bench` and the fault suite (`soak/harness.mjs`) share to run the relay on raw
 * `workerd serve`: the bundle as `wrangler deploy` builds it, the tests' configuration compiled on the
 * fly, free ports, and starting a workerd child process that is ready once its sockets accept
 * connections. Node built-ins and the project's own dev dependencies only.
 */
import { execFile, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { connect, createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { workerdConfig } from "./workerd-config.mjs";

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

/** The platform binary the `workerd` package installed (its main module exports the path). */
export const WORKERD_BIN = /** @type {string} */ (require("workerd").default);
export const WORKERD_VERSION = /** @type {string} */ (require("workerd").version);

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The tests' relay configuration and credentials, from test/support/fixtures-config.ts, compiled with
 * esbuild because plain Node cannot import TypeScript. Imported rather than copied: the configuration
 * schema grows, and a copy would then run against nothing but 500s.
 * @param {string} outDir
 * @returns {Promise<typeof import("../test/support/fixtures-config.ts")>}
 */
export async function loadFixtures(outDir) {
  const { build } = await import("esbuild");
  const outfile = join(outDir, "fixtures-config.mjs");
  await build({
    entryPoints: [join(ROOT, "test", "support", "fixtures-config.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    logLevel: "silent",
  });
  return import(pathToFileURL(outfile).href);
}

/**
 * Bundles the Worker exactly as `wrangler deploy` would (as test/support/relay-server.ts does).
 * @param {string} outDir
 * @param {{ minify?: boolean }} [options] `minify: false` keeps function names, for a readable CPU profile
 * @returns {Promise<string>} the bundle's path
 */
export async function buildRelay(outDir, options = {}) {
  try {
    await promisify(execFile)("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outDir, ...(options.minify === false ? ["--no-minify"] : [])], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    });
  } catch (e) {
    const err = /** @type {{ stderr?: string, stdout?: string, message: string }} */ (e);
    throw new Error(`wrangler deploy --dry-run failed:\n${err.stderr || err.stdout || err.message}`);
  }
  return join(outDir, "index.js");
}

/** A port free right now. workerd cannot report the port it bound, so it must be given one. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

/**
 * @param {number} port
 * @returns {Promise<boolean>}
 */
export function canConnect(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Writes `config.capnp` into `dir` (next to the modules it embeds) from workerd-config.mjs.
 * @param {string} dir
 * @param {Parameters<typeof workerdConfig>[0]} options
 */
export function writeWorkerdConfig(dir, options) {
  writeFileSync(join(dir, "config.capnp"), workerdConfig(options));
}

/**
 * Starts `workerd serve config.capnp` in `dir` and waits until every port accepts connections.
 * stdout and stderr go to `logPath` (appended, so that several runs of one relay share a log).
 * @param {object} o
 * @param {string} o.dir holds config.capnp and the modules it embeds
 * @param {string} o.logPath
 * @param {number[]} o.ports
 * @param {number} [o.readyTimeoutMs] default 20 s
 * @param {string[]} [o.args] more arguments for `workerd serve` (the profiler's --inspector-addr)
 * @returns {Promise<import("node:child_process").ChildProcess>}
 */
export async function spawnWorkerd({ dir, logPath, ports, readyTimeoutMs = 20_000, args = [] }) {
  const log = openSync(logPath, "a");
  const child = spawn(WORKERD_BIN, ["serve", "config.capnp", ...args], { cwd: dir, stdio: ["ignore", log, log] });
  closeSync(log);
  const tail = () => readFileSync(logPath, "utf8").split("\n").slice(-20).join("\n");
  for (const port of ports) {
    const until = Date.now() + readyTimeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`workerd exited:\n${tail()}`);
      if (await canConnect(port)) break;
      if (Date.now() > until) {
        child.kill("SIGKILL");
        throw new Error(`workerd did not listen on ${port} within ${readyTimeoutMs} ms:\n${tail()}`);
      }
      await sleep(50);
    }
  }
  return child;
}

/** @param {import("node:child_process").ChildProcess | undefined} child */
export const isRunning = (child) => child !== undefined && child.exitCode === null && child.signalCode === null;
