import { readJson } from "../http";
import type { TelegramAccount } from "./account";
import { callBotApi } from "./api";
import { readTelegramAnswer } from "./errors";

/**
 * The updates the relay asks for: what the adapter turns into events (anything else would arrive as
 * `unsupported`). `message_reaction` is only sent when listed explicitly; `my_chat_member` (the customer
 * blocked or unblocked the bot; the bot was added to or removed from a group) must be listed once any list
 * is given.
 * @see https://core.telegram.org/bots/api#update
 * @see https://core.telegram.org/bots/api#setwebhook
 */
export const TELEGRAM_ALLOWED_UPDATES = [
  "message",
  "edited_message",
  "channel_post",
  "edited_channel_post",
  "callback_query",
  "message_reaction",
  "my_chat_member",
] as const;

/**
 * The `setWebhook` parameters that point a bot at the relay: the account's webhook URL
 * (`https://<relay>/webhooks/telegram/<accountId>`), its `secret_token`, and the updates the relay reads.
 * @see https://core.telegram.org/bots/api#setwebhook
 */
export function setWebhookParams(account: TelegramAccount, relayOrigin: string): Record<string, unknown> {
  return {
    url: `${relayOrigin.replace(/\/+$/, "")}/webhooks/telegram/${account.id}`,
    secret_token: account.secretToken,
    allowed_updates: TELEGRAM_ALLOWED_UPDATES,
  };
}

/**
 * Registers the relay as the bot's webhook (an operator step, run once per bot). Resolves to Telegram's
 * description on success and rejects with it otherwise; the error never quotes the API URL (it holds the
 * bot token).
 * @see https://core.telegram.org/bots/api#setwebhook
 */
export async function setTelegramWebhook(account: TelegramAccount, relayOrigin: string): Promise<string> {
  const res = await callBotApi(account, "setWebhook", setWebhookParams(account, relayOrigin));
  const answer = readTelegramAnswer(await readJson(res));
  if (!answer?.ok) throw new Error(`setWebhook failed (HTTP ${res.status}): ${answer?.description ?? "no Bot API answer"}`);
  return answer.description ?? "Webhook was set";
}
