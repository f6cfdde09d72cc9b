#!/usr/bin/env node
// @ts-check
/**
 * Prints a new API key and the SHA-256 to put in the tenant's `apiKeys` (the relay stores only the hash),
 * a Standard Webhooks endpoint secret, a webhook secret for a WhatsApp container account, a media token
 * secret, an operator key for `/admin/v1` with the SHA-256 to put in the ADMIN_KEYS secret, and a
 * master key for RELAY_MASTER_KEY (seals secrets at rest; put a new one first, comma-separated, to rotate).
 */
import { createHash, randomBytes } from "node:crypto";

const apiKey = `mr_${randomBytes(24).toString("base64url")}`;
console.log(`API key (give to the client, store nowhere else):  ${apiKey}`);
console.log(`apiKeys entry for RELAY_CONFIG:                    {"id": "key-1", "sha256": "${createHash("sha256").update(apiKey).digest("hex")}"}`);
console.log(`endpoint.secret (Standard Webhooks signing):        whsec_${randomBytes(32).toString("base64")}`);
console.log(`webhook.secret (WhatsApp container callback URL):   ${randomBytes(24).toString("base64url")}`);
console.log(`media.tokenSecret (signs inbound media URLs):       ${randomBytes(32).toString("base64url")}`);
const operatorKey = `op_${randomBytes(24).toString("base64url")}`;
console.log(`operator key (for /admin/v1, keep it safe):        ${operatorKey}`);
console.log(`ADMIN_KEYS secret (add with a comma to rotate):     ${createHash("sha256").update(operatorKey).digest("hex")}`);
console.log(`RELAY_MASTER_KEY entry (id:key; newest first):      k${new Date().toISOString().slice(0, 10).replace(/-/g, "")}:${randomBytes(32).toString("base64")}`);
