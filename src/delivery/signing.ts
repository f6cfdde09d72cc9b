import { Webhook } from "standardwebhooks";

/**
 * Headers that sign one delivery per Standard Webhooks: `webhook-id` (the event id, stable across
 * retries), `webhook-timestamp` (seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of
 * `id.timestamp.body` with the endpoint's `whsec_` secret). While a rotated secret is still valid, the
 * delivery carries one signature per secret, space-separated, and a receiver accepts any it can verify.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#signature-scheme
 */
export function signWebhook(secrets: readonly string[], id: string, body: string, now = new Date()): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(id, now, body)).join(" "),
  };
}
