#!/usr/bin/env node
// @ts-check
/**
 * Seals every stored secret again with the first key of RELAY_MASTER_KEY, through the operator API.
 *
 *   1. npm run keygen, and put the new entry first: wrangler secret put RELAY_MASTER_KEY ("new,old")
 *   2. RELAY_URL=https://relay.example.com RELAY_ADMIN_KEY=op_… npm run rotate-master-key
 *   3. when it reports every secret sealed with the new key: wrangler secret put RELAY_MASTER_KEY ("new")
 */
const url = process.env.RELAY_URL;
const key = process.env.RELAY_ADMIN_KEY;
if (!url || !key) {
  console.error("Set RELAY_URL (the relay's origin) and RELAY_ADMIN_KEY (an operator key).");
  process.exit(2);
}
const res = await fetch(new URL("/admin/v1/master-key/rotate", url), { method: "POST", headers: { authorization: `Bearer ${key}` } });
/** @type {{ detail?: string; key?: string; resealed?: number; current?: number }} */
const body = /** @type {any} */ (await res.json().catch(() => ({})));
if (!res.ok) {
  console.error(`The relay answered ${res.status}: ${body.detail ?? JSON.stringify(body)}`);
  process.exit(1);
}
console.log(`Every secret is sealed with key '${body.key}': ${body.resealed} sealed again now, ${body.current} already were.`);
console.log("Older keys can now be removed from RELAY_MASTER_KEY.");
