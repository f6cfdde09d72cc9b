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
import { SANDBOX_CUSTOMER, startSandbox } from "./sandbox.mjs";

const sandbox = await startSandbox({
  relayPort: Number(process.env.RELAY_PORT ?? 8787),
  containerPort: Number(process.env.WA_CONTAINER_PORT ?? 9090),
  backendPort: Number(process.env.BACKEND_PORT ?? 9091),
});
const { relayUrl, container, backend } = sandbox;
const customer = SANDBOX_CUSTOMER;

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await sandbox.stop();
  process.exit(code);
}
process.on("SIGINT", () => stop());
process.on("SIGTERM", () => stop());
sandbox.wrangler.on("exit", (code) => stop(code ?? 0));

console.log(`
Messenger Relay sandbox is up (the sandbox customer ${customer} has written to the business):
  relay               ${relayUrl}
  console             ${relayUrl}/console/   (sign in with the API key sandbox, or the operator key sandbox-admin)
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
