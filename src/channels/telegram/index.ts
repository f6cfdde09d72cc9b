import type { OutboundContent } from "../../model";
import { planParts } from "../degrade";
import { readJson } from "../http";
import type { Capabilities, ChannelAdapter } from "../types";
import { TelegramAccount } from "./account";
import { UnreachableError } from "../../transport/errors";
import { callBotApi } from "./api";
import { classifySendResponse } from "./errors";
import { parseTelegramWebhook } from "./inbound";
import { fetchTelegramMedia } from "./media";
import {
  renderTelegramMessage,
  TELEGRAM_MAX_BUTTON_LABEL,
  TELEGRAM_MAX_CALLBACK_DATA_BYTES,
  TELEGRAM_MAX_CAPTION,
  TELEGRAM_MAX_INLINE_BUTTONS,
  TELEGRAM_MAX_TEXT,
  utf8Length,
} from "./outbound";
import { verifyTelegramWebhook } from "./verify";

export { TelegramAccount } from "./account";
export { setTelegramWebhook, setWebhookParams, TELEGRAM_ALLOWED_UPDATES } from "./webhook-setup";

/** A chat id (negative for groups, `-100…` for supergroups and channels) or a channel's `@username`. */
const CHAT_ID = /^-?[1-9]\d{0,19}$/;
const CHANNEL_USERNAME = /^@[A-Za-z][A-Za-z0-9_]{3,31}$/;

/**
 * A Telegram recipient: a numeric chat id, kept exactly as written, or `@channelusername` (bots can only
 * address channels by name; users and groups must be addressed by id, which the bot learns from their
 * first message).
 * @see https://core.telegram.org/bots/api#sendmessage
 */
export function normalizeTelegramPeer(raw: string): string | null {
  const value = raw.trim();
  return CHAT_ID.test(value) || CHANNEL_USERNAME.test(value) ? value : null;
}

/**
 * What Telegram renders natively. Lists become buttons when they fit (rows without descriptions) or a
 * numbered text; templates are refused. No receipts: bots never learn of delivery or reading.
 * @see https://core.telegram.org/bots/api#available-methods
 */
const capabilities: Capabilities = {
  maxTextLength: TELEGRAM_MAX_TEXT,
  contentTypes: ["text", "buttons", "image", "audio", "video", "document", "location"],
  buttons: { max: TELEGRAM_MAX_INLINE_BUTTONS, maxTitleLength: TELEGRAM_MAX_BUTTON_LABEL, maxTextLength: TELEGRAM_MAX_TEXT },
  maxCaptionLength: TELEGRAM_MAX_CAPTION,
  receipts: false,
  /** @see https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this (about 30/s per bot, 1/s per chat) */
  rate: { perSecond: 30, perConversationPerSecond: 1 },
};

/**
 * Refuses up front buttons whose id cannot be a `callback_data` (1–64 bytes): the id is what comes back
 * when the customer taps, and a shortened one could not be mapped back. Checked on the parts the message
 * will actually be sent as (a list may become buttons; buttons that degrade to a numbered text keep no id).
 */
function refuseTelegram(content: OutboundContent): string | null {
  const plan = planParts(content, capabilities);
  if ("refused" in plan) return null; // the core already refuses it, with its own reason
  for (const part of plan.parts) {
    if (part.type !== "buttons") continue;
    const long = part.buttons.find((b) => utf8Length(b.id) > TELEGRAM_MAX_CALLBACK_DATA_BYTES);
    if (long) {
      return `Telegram button ids travel as callback_data of at most ${TELEGRAM_MAX_CALLBACK_DATA_BYTES} bytes (UTF-8); '${long.id.slice(0, 24)}…' has ${utf8Length(long.id)}.`;
    }
  }
  return null;
}

/**
 * Telegram, through the Bot API of one bot.
 * @see https://core.telegram.org/bots/api
 */
export const telegram = {
  channel: "telegram" as const,
  accountSchema: TelegramAccount,
  secretFields: ["botToken", "secretToken"],
  capabilities,
  normalizePeer: normalizeTelegramPeer,
  refuse: (content, _account) => refuseTelegram(content),
  verify: verifyTelegramWebhook,
  parse: (body) => parseTelegramWebhook(body),
  /** @see https://core.telegram.org/bots/api#getfile */
  fetchMedia: (mediaId, account, _ctx) => fetchTelegramMedia(mediaId, account),
  async send(message, peer, account, _ctx) {
    const request = renderTelegramMessage(peer, message.content);
    if (!request) {
      return { kind: "failed", error: { reason: "unsupported_content", detail: `Telegram cannot send ${message.content.type} content` } };
    }
    let res: Response;
    let answer: unknown;
    try {
      res = await callBotApi(account, request.method, request.params);
      answer = await readJson(res);
    } catch (e) {
      // Never a foreign error's message: it could quote the URL, and the URL holds the bot token.
      if (e instanceof UnreachableError) return { kind: "retry", detail: `Telegram ${request.method}: ${e.message}` };
      return { kind: "retry", detail: `Telegram ${request.method}: no complete answer (${e instanceof Error ? e.name : "error"})` };
    }
    return classifySendResponse(res, answer, peer);
  },
} satisfies ChannelAdapter<TelegramAccount>;
