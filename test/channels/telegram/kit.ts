import { readJson } from "../../../src/channels/http";
import { classifySendResponse } from "../../../src/channels/telegram/errors";
import { fixtures } from "../../support/fixtures";
import type { ChannelKit } from "../kit";
import { TELEGRAM_ACCOUNT_ID, TELEGRAM_SECRET_TOKEN } from "./account";
import { TELEGRAM_CLASSIFICATION } from "./classification";
import { TELEGRAM_FACTS } from "./facts";

const path = `/webhooks/telegram/${TELEGRAM_ACCOUNT_ID}`;
const json = { "content-type": "application/json" };
/** The chat the classified sends went to. */
const CHAT = "3527065";

/**
 * Telegram authenticates a webhook call only by the `secret_token` of `setWebhook`, sent back in
 * `X-Telegram-Bot-Api-Secret-Token`; nothing signs the body.
 */
export const telegramKit: ChannelKit = {
  channel: "telegram",
  accountId: TELEGRAM_ACCOUNT_ID,
  fixtures: fixtures("telegram"),
  signed: async (body) => ({ path, headers: { ...json, "x-telegram-bot-api-secret-token": TELEGRAM_SECRET_TOKEN }, body }),
  unsigned: (body) => ({ path, headers: json, body }),
  wronglySigned: async (body) => ({
    path,
    headers: { ...json, "x-telegram-bot-api-secret-token": `${TELEGRAM_SECRET_TOKEN.slice(0, -1)}X` },
    body,
  }),
  // The right secret, but not where Telegram puts it: only Telegram's header authenticates.
  tampered: async (body) => ({
    path: `${path}?secret_token=${TELEGRAM_SECRET_TOKEN}`,
    headers: { ...json, authorization: `Bearer ${TELEGRAM_SECRET_TOKEN}`, "x-telegram-bot-api-secret-token-x": TELEGRAM_SECRET_TOKEN },
    body,
  }),
  facts: TELEGRAM_FACTS,
  /**
   * What the updates the relay subscribes to give (`TELEGRAM_ALLOWED_UPDATES`). Bots get no delivery or read
   * receipts, so no statuses.
   * @see https://core.telegram.org/bots/api#update
   */
  documentedEvents: ["message.received", "message.edited", "conversation.started", "conversation.closed", "contact.subscribed", "contact.unsubscribed"],
  classify: async (res) => classifySendResponse(res, await readJson(res), CHAT),
  classification: TELEGRAM_CLASSIFICATION,
};
