import { metaHandshake, verifyMetaSignature } from "../meta/webhook";
import type { WebhookRequest } from "../types";
import type { WhatsAppCloudAccount } from "./account";

/**
 * Meta's subscription handshake (`GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`),
 * answered with the challenge when the account's verify token matches.
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
 */
export function cloudHandshake(req: WebhookRequest, account: WhatsAppCloudAccount): Promise<Response | null> {
  return metaHandshake(req, account.verifyToken);
}

/**
 * A Cloud API webhook is authentic when `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body under the
 * app secret. Meta's payloads carry no signed timestamp and Meta redelivers for up to 7 days, so replays
 * cannot be told from retries here: they are absorbed by the relay's dedupe on the platform's ids.
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
 */
export function verifyCloudWebhook(req: WebhookRequest, account: WhatsAppCloudAccount): Promise<boolean> {
  return verifyMetaSignature(req, account.appSecret);
}
