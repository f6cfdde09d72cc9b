// @ts-check
/**
 * The sandbox, end to end on this machine: the WhatsApp container stand-in (behind a stand-in for the
 * Cloudflare Access tunnel), the business backend that verifies every signed event, and the relay itself
 * under `wrangler dev` with the sandbox configuration (sandbox/relay-config.json) and the console's
 * static assets. `npm start` (start.mjs) runs it on fixed ports; the console's browser tests run it on
 * free ports with storage of their own.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startBackend } from "./business-backend.js";
import { startContainer } from "./whatsapp-container.js";

/** The sandbox customer: writes first, so that the business may answer (the messaging window). */
export const SANDBOX_CUSTOMER = "49123123456";
/** The operator key of the sandbox; like the API key `sandbox`, it exists nowhere else. */
export const SANDBOX_ADMIN_KEY = "sandbox-admin";
/** How long the relay may take to answer /health after wrangler starts (it bundles first). */
const RELAY_START_TIMEOUT_MS = 120_000;
/** How long the customer's first message may take to open the conversation's window. */
const GREETING_TIMEOUT_MS = 30_000;
const POLL_MS = 200;

/** A port nobody listens on now, on loopback. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = server.address();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/**
 * @typedef {object} SandboxOptions
 * @property {number} [relayPort] default: a free port
 * @property {number} [containerPort] default: a free port
 * @property {number} [backendPort] default: a free port
 * @property {number} [inspectorPort] wrangler's devtools port; default: a free port
 * @property {string} [persistTo] Durable Object storage; default .wrangler/state (wrangler's)
 * @property {string} [stateDir] where the relay's env file is written; default .wrangler
 * @property {boolean} [quiet] no request logs, and wrangler's output kept (shown only if it fails)
 * @property {number} [statusDelayMs] the container's pause before each status; default 500
 * @property {number} [retryTimeScale] shrinks the relay's retry delays; default 0.1
 */

/**
 * @typedef {object} Sandbox
 * @property {string} relayUrl
 * @property {Awaited<ReturnType<typeof startContainer>>} container
 * @property {Awaited<ReturnType<typeof startBackend>>} backend
 * @property {import("node:child_process").ChildProcess} wrangler
 * @property {() => string} output what wrangler printed (quiet mode)
 * @property {() => Promise<void>} stop stops wrangler (SIGINT, then waits), the container and the backend
 */

/**
 * Starts the sandbox and waits until the relay answers and the sandbox customer's first message has
 * opened the conversation's window.
 * @param {SandboxOptions} [options]
 * @returns {Promise<Sandbox>}
 */
export async function startSandbox(options = {}) {
  const quiet = options.quiet ?? false;
  const config = JSON.parse(readFileSync(new URL("./relay-config.json", import.meta.url), "utf8"));
  const tenant = config.tenants[0];
  const account = tenant.accounts[0];
  const relayPort = options.relayPort || (await freePort());
  const relayUrl = `http://127.0.0.1:${relayPort}`;

  const container = await startContainer({
    port: options.containerPort ?? 0,
    username: account.container.username,
    password: account.container.password,
    access: { clientId: account.container.transport.clientId, clientSecret: account.container.transport.clientSecret },
    webhookUrl: `${relayUrl}/webhooks/whatsapp/${account.id}?secret=${account.webhook.secret}`,
    statusDelayMs: options.statusDelayMs ?? 500,
    quiet,
  });
  const backend = await startBackend({ port: options.backendPort ?? 0, secret: tenant.endpoint.secret, quiet });
  account.container.origin = container.url;
  tenant.endpoint.url = `${backend.url}/webhooks`;

  // wrangler dev reads variables from an env file; keep it out of the repository.
  const stateDir = options.stateDir ?? ".wrangler";
  mkdirSync(stateDir, { recursive: true });
  const envFile = join(stateDir, "sandbox.env");
  const adminKeys = createHash("sha256").update(SANDBOX_ADMIN_KEY).digest("hex");
  // Secrets are sealed at rest under RELAY_MASTER_KEY; the sandbox's key is fixed and for this machine only.
  const masterKey = `sandbox:${Buffer.from("sandbox-master-key-only-local-01").toString("base64")}`;
  writeFileSync(envFile, `RELAY_CONFIG='${JSON.stringify(config)}'\nRETRY_TIME_SCALE=${options.retryTimeScale ?? 0.1}\nADMIN_KEYS=${adminKeys}\nRELAY_MASTER_KEY=${masterKey}\n`);

  // Wrangler's own entry under this Node (not through npx, which would not pass signals on).
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const wranglerBin = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
  const args = [wranglerBin, "dev", "--ip", "127.0.0.1", "--port", String(relayPort), "--env-file", envFile, "--show-interactive-dev-session=false"];
  // A port of its own: wrangler's default (9229) may be taken by another relay on this machine.
  args.push("--inspector-port", String(options.inspectorPort || (await freePort())));
  if (options.persistTo) args.push("--persist-to", options.persistTo);
  const wrangler = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", quiet ? "pipe" : "inherit", quiet ? "pipe" : "inherit"],
    env: { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env },
  });
  let output = "";
  wrangler.stdout?.on("data", (d) => (output += d));
  wrangler.stderr?.on("data", (d) => (output += d));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (wrangler.exitCode === null && wrangler.signalCode === null) {
      const exited = new Promise((resolve) => wrangler.once("exit", resolve));
      wrangler.kill("SIGINT");
      await exited;
    }
    await Promise.all([container.close(), backend.close()]);
  };

  try {
    await waitFor(async () => (await fetch(`${relayUrl}/health`)).ok, RELAY_START_TIMEOUT_MS, () => wrangler.exitCode !== null, "the relay to answer /health");
    // The sandbox customer writes first, as a customer does on WhatsApp: the business may then answer
    // freely for 24 hours (the messaging window), so the seed's message goes out.
    await fetch(`${container.url}/_sandbox/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ from: SANDBOX_CUSTOMER, text: "Hi! Please send me news about my order.", name: "Sandbox Customer" }),
    });
    await waitFor(
      async () => {
        const res = await fetch(`${relayUrl}/v1/conversations?peer=${SANDBOX_CUSTOMER}`, { headers: { authorization: "Bearer sandbox" } });
        /** @type {{ conversations?: { window?: { open?: boolean } }[] } | undefined} */
        const list = res.ok ? /** @type {any} */ (await res.json()) : undefined;
        return list?.conversations?.[0]?.window?.open === true;
      },
      GREETING_TIMEOUT_MS,
      () => wrangler.exitCode !== null,
      "the sandbox customer's message to open the conversation",
    );
  } catch (e) {
    await stop();
    throw new Error(`${e instanceof Error ? e.message : e}${output ? `\nwrangler said:\n${output}` : ""}`);
  }
  return { relayUrl, container, backend, wrangler, output: () => output, stop };
}

/**
 * Polls `check` until it is true.
 * @param {() => Promise<boolean>} check
 * @param {number} timeoutMs
 * @param {() => boolean} gaveUp true when waiting longer is pointless (the process exited)
 * @param {string} what
 */
async function waitFor(check, timeoutMs, gaveUp, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error(`wrangler exited while waiting for ${what}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`timed out waiting for ${what}`);
}
