import { fixtures } from "../../support/fixtures";
import type { ChannelKit } from "../kit";
import { CLOUD_ACCOUNT_ID, CLOUD_APP_SECRET, CLOUD_VERIFY_TOKEN } from "./account";

const path = `/webhooks/whatsapp-cloud/${CLOUD_ACCOUNT_ID}`;
const json = { "content-type": "application/json" };

/** `sha256=<hex HMAC-SHA256(secret, exact body bytes)>`, as Meta signs: over the raw text, escapes and all. */
export async function metaSignature(body: string, secret = CLOUD_APP_SECRET): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(body)));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const handshake = (token: string) =>
  `${path}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${encodeURIComponent(token)}`;

/** Meta signs each POST with the app secret (`X-Hub-Signature-256`) and verifies the URL with a GET handshake. */
export const whatsappCloudKit: ChannelKit = {
  channel: "whatsapp-cloud",
  accountId: CLOUD_ACCOUNT_ID,
  fixtures: fixtures("whatsapp-cloud"),
  signed: async (body) => ({ path, headers: { ...json, "x-hub-signature-256": await metaSignature(body) }, body }),
  unsigned: (body) => ({ path, headers: json, body }),
  wronglySigned: async (body) => ({
    path,
    headers: { ...json, "x-hub-signature-256": await metaSignature(body, `${CLOUD_APP_SECRET}-other`) },
    body,
  }),
  // Signed, then changed: one escaped character decoded, which JSON.parse cannot tell apart but the HMAC can.
  tampered: async (body) => ({
    path,
    headers: { ...json, "x-hub-signature-256": await metaSignature(body) },
    body: body.includes("\\u") ? body.replace(/\\u00([0-9a-f]{2})/, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : body.replace("whatsapp", "whatsApp"),
  }),
  handshake: {
    valid: { method: "GET", path: handshake(CLOUD_VERIFY_TOKEN), headers: {} },
    expect: "1158201444",
    invalid: { method: "GET", path: handshake(`${CLOUD_VERIFY_TOKEN}-wrong`), headers: {} },
  },
};
