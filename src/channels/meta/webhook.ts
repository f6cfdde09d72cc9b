import { hmacSha256, secretsEqual, toHex } from "../../crypto";
import type { WebhookRequest } from "../types";

/**
 * Answers Meta's subscription handshake: `GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`
 * is echoed with the challenge when the verify token matches, refused with 403 otherwise. Returns null
 * for any other request.
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
 */
export async function metaHandshake(req: WebhookRequest, verifyToken: string): Promise<Response | null> {
  if (req.method !== "GET") return null;
  const q = req.url.searchParams;
  const token = q.get("hub.verify_token") ?? "";
  const challenge = q.get("hub.challenge") ?? "";
  if (q.get("hub.mode") === "subscribe" && challenge && (await secretsEqual(token, verifyToken))) {
    return new Response(challenge, { status: 200, headers: { "content-type": "text/plain" } });
  }
  return new Response("verify token mismatch", { status: 403, headers: { "content-type": "text/plain" } });
}

/**
 * Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` in constant time. The
 * HMAC is over the bytes as received: Meta escapes unicode (`\u00e4`), so re-serialized JSON would not match.
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
 */
export async function verifyMetaSignature(req: WebhookRequest, appSecret: string): Promise<boolean> {
  const header = req.headers.get("x-hub-signature-256") ?? "";
  if (!/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const expected = `sha256=${toHex(await hmacSha256(appSecret, req.body))}`;
  return secretsEqual(header.toLowerCase(), expected);
}
