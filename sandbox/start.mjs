#!/usr/bin/env node
// @ts-check
/**
 * `npm start`: the relay with its local sandbox, end to end on this machine.
 * - the WhatsApp container stand-in on :9090, behind a stand-in for the Cloudflare Access tunnel;
 * - the business backend on :9091, which verifies and prints every signed event;
 * - the relay itself, `wrangler dev` on http://127.0.0.1:8787 with local Durable Object storage and the
 *   sandbox configuration (sandbox/relay-config.json, whose API key `sandbox` exists only here).
 * Ports: RELAY_PORT, WA_CONTAINER_PORT, BACKEND_PORT.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startBackend } from "./business-backend.js";
import { startContainer } from "./whatsapp-container.js";

const relayPort = Number(process.env.RELAY_PORT ?? 8787);
const containerPort = Number(process.env.WA_CONTAINER_PORT ?? 9090);
const backendPort = Number(process.env.BACKEND_PORT ?? 9091);
const relayUrl = `http://127.0.0.1:${relayPort}`;

const config = JSON.parse(readFileSync(new URL("./relay-config.json", import.meta.url), "utf8"));
const tenant = config.tenants[0];
const account = tenant.accounts[0];
account.container.origin = `http://127.0.0.1:${containerPort}`;
tenant.endpoint.url = `http://127.0.0.1:${backendPort}/webhooks`;

const container = await startContainer({
  port: containerPort,
  username: account.container.username,
  password: account.container.password,
  access: { clientId: account.container.transport.clientId, clientSecret: account.container.transport.clientSecret },
  webhookUrl: `${relayUrl}/webhooks/whatsapp/${account.id}?secret=${account.webhook.secret}`,
  statusDelayMs: 500,
});
const backend = await startBackend({ port: backendPort, secret: tenant.endpoint.secret });

// wrangler dev reads variables from an env file; keep it out of the repository.
mkdirSync(".wrangler", { recursive: true });
const envFile = ".wrangler/sandbox.env";
// The operator key `sandbox-admin` exists in the sandbox only, like the API key `sandbox`.
const adminKeys = createHash("sha256").update("sandbox-admin").digest("hex");
// Secrets are sealed at rest under RELAY_MASTER_KEY; the sandbox's key is fixed and for this machine only.
const masterKey = `sandbox:${Buffer.from("sandbox-master-key-only-local-01").toString("base64")}`;
writeFileSync(envFile, `RELAY_CONFIG='${JSON.stringify(config)}'\nRETRY_TIME_SCALE=0.1\nADMIN_KEYS=${adminKeys}\nRELAY_MASTER_KEY=${masterKey}\n`);

// Wrangler's own entry under this Node (not through npx, which would not pass signals on).
const wranglerBin = fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url));
const wrangler = spawn(
  process.execPath,
  [wranglerBin, "dev", "--ip", "127.0.0.1", "--port", String(relayPort), "--env-file", envFile, "--show-interactive-dev-session=false"],
  { stdio: ["ignore", "inherit", "inherit"], env: { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env } },
);

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  if (wrangler.exitCode === null) {
    wrangler.kill("SIGINT");
    await new Promise((r) => wrangler.once("exit", r));
  }
  await Promise.all([container.close(), backend.close()]);
  process.exit(code);
}
process.on("SIGINT", () => stop());
process.on("SIGTERM", () => stop());
wrangler.on("exit", (code) => stop(code ?? 0));

for (let i = 0; i < 600 && !stopping; i++) {
  try {
    if ((await fetch(`${relayUrl}/health`)).ok) break;
  } catch {
    // not up yet
  }
  await new Promise((r) => setTimeout(r, 200));
}

// The sandbox customer writes first, as a customer does on WhatsApp: the business may answer freely for
// 24 hours (the messaging window), so the seed's message below goes out.
const customer = "49123123456";
if (!stopping) {
  await fetch(`${container.url}/_sandbox/inbound`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ from: customer, text: "Hi! Please send me news about my order.", name: "Sandbox Customer" }),
  });
  for (let i = 0; i < 150 && !stopping; i++) {
    const res = await fetch(`${relayUrl}/v1/conversations?peer=${customer}`, { headers: { authorization: "Bearer sandbox" } }).catch(() => undefined);
    /** @type {{ conversations?: { window?: { open?: boolean } }[] } | undefined} */
    const list = res?.ok ? /** @type {any} */ (await res.json()) : undefined;
    if (list?.conversations?.[0]?.window?.open) break;
    await new Promise((r) => setTimeout(r, 200));
  }
}

console.log(`
Messenger Relay sandbox is up (the sandbox customer ${customer} has written to the business):
  relay               ${relayUrl}
  WhatsApp container  ${container.url}   (state: ${container.url}/_sandbox/state)
  business backend    ${backend.url}   (prints every verified event below)

Send the seed's "Hello world!":
  curl -sX POST ${relayUrl}/api/v7/chat -H 'Authorization: Bearer sandbox' -H 'Content-Type: application/json' -d '{"id":"49123123456","message":"Hello world!"}'

Then read its status (use the id it answered with):
  curl -s ${relayUrl}/v1/messages/<id> -H 'Authorization: Bearer sandbox'

See the conversation and its messaging window:
  curl -s ${relayUrl}/v1/conversations -H 'Authorization: Bearer sandbox'

Play the customer replying:
  curl -sX POST ${container.url}/_sandbox/inbound -H 'Content-Type: application/json' -d '{"from":"49123123456","text":"Hi back!"}'

Create a tenant and issue its first API key as the operator (key sandbox-admin):
  curl -sX POST ${relayUrl}/admin/v1/tenants -H 'Authorization: Bearer sandbox-admin' -H 'Content-Type: application/json' -d '{"id":"shop","name":"Shop"}'
  curl -sX POST ${relayUrl}/admin/v1/tenants/shop/api-keys -H 'Authorization: Bearer sandbox-admin'

Make the container fail the next 3 sends (the relay retries):
  curl -sX POST ${container.url}/_sandbox/faults -H 'Content-Type: application/json' -d '{"status":503,"count":3,"path":"/v1/messages"}'
`);
