import { secretsEqual } from "../../crypto";
import type { WebhookRequest } from "../types";
import type { TelegramAccount } from "./account";

/** The header Telegram puts the webhook's `secret_token` in. */
export const TELEGRAM_SECRET_HEADER = "x-telegram-bot-api-secret-token";

/**
 * Telegram does not sign webhook bodies: a call is authentic when it carries the `secret_token` given to
 * `setWebhook` in `X-Telegram-Bot-Api-Secret-Token`, compared in constant time. Only that header counts (a
 * secret in the query string or elsewhere does not), and nothing of the body is read here. Telegram gives
 * no request timestamp to reject replays by; a replayed update is recognised by its `update_id` instead
 * (the event's dedupe key).
 * @see https://core.telegram.org/bots/api#setwebhook
 * @see https://core.telegram.org/bots/webhooks
 */
export async function verifyTelegramWebhook(req: WebhookRequest, account: TelegramAccount): Promise<boolean> {
  const presented = req.headers.get(TELEGRAM_SECRET_HEADER);
  if (presented === null || presented === "") return false;
  return secretsEqual(presented, account.secretToken);
}
