import { metaHandshake, verifyMetaSignature } from "../meta/webhook";
import type { WebhookRequest } from "../types";
import type { MessengerAccount } from "./account";

/**
 * Answers the subscription handshake Meta sends when the webhook URL is saved in the app's settings.
 * @see https://developers.facebook.com/docs/messenger-platform/webhooks#verification-requests
 */
export function messengerHandshake(req: WebhookRequest, account: MessengerAccount): Promise<Response | null> {
  return metaHandshake(req, account.verifyToken);
}

/**
 * A Messenger webhook is authentic when `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body under
 * the app secret. Meta sends no timestamp, so replays cannot be refused here; they are recognised
 * downstream by their event ids (message ids, watermarks).
 * @see https://developers.facebook.com/docs/messenger-platform/webhooks#validate-payloads
 */
export function verifyMessengerWebhook(req: WebhookRequest, account: MessengerAccount): Promise<boolean> {
  return verifyMetaSignature(req, account.appSecret);
}
