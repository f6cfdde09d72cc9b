import type { OutboundContent } from "../../model";
import { planParts } from "../degrade";
import { readJson } from "../http";
import type { Capabilities, ChannelAdapter } from "../types";
import { TelegramAccount } from "./account";
import { UnreachableError } from "../../transport/errors";
import { callBotApi } from "./api";
import { classifySendResponse, readTelegramAnswer } from "./errors";
import { parseTelegramMessageRef, telegramMessageId } from "./ids";
import { parseTelegramWebhook } from "./inbound";
import { fetchTelegramMedia } from "./media";
import {
  renderTelegramAction,
  renderTelegramMessage,
  type TelegramRequest,
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
  contentTypes: ["text", "buttons", "image", "audio", "video", "document", "location", "url_button", "reaction"],
  buttons: { max: TELEGRAM_MAX_INLINE_BUTTONS, maxTitleLength: TELEGRAM_MAX_BUTTON_LABEL, maxTextLength: TELEGRAM_MAX_TEXT },
  urlButton: { maxTitleLength: TELEGRAM_MAX_BUTTON_LABEL, maxTextLength: TELEGRAM_MAX_TEXT },
  maxCaptionLength: TELEGRAM_MAX_CAPTION,
  quotedReplies: true,
  /** `sendChatAction`: a typing status for 5 seconds; bots cannot hide it, nor mark messages read. */
  actions: ["typing_on"],
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
  // A relay id (msg_…) is resolved to the Telegram id before sending; anything else must be one already.
  if (content.type === "reaction" && !content.messageId.startsWith("msg_") && !parseTelegramMessageRef(content.messageId)) {
    return `'${content.messageId.slice(0, 40)}' is not a Telegram message id: give the relay's id (msg_…) or <chat id>:<message_id>.`;
  }
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
  async send(message, peer, account, ctx) {
    // A split message quotes on its first part only.
    const request = renderTelegramMessage(peer, message.content, ctx.part === 0 ? message.replyTo : undefined);
    if (!request) {
      return { kind: "failed", error: { reason: "unsupported_content", detail: `Telegram cannot send this ${message.content.type}` } };
    }
    const called = await call(account, request);
    if ("kind" in called) return called;
    const { res, answer } = called;
    if (request.method === "setMessageReaction" && res.ok && readTelegramAnswer(answer)?.ok) {
      // Telegram answers `true`: a reaction is no message of its own.
      return { kind: "ok", platformMessageId: reactionId(String(request.params.chat_id), String(request.params.message_id)) };
    }
    return classifySendResponse(res, answer, peer);
  },
  /** @see https://core.telegram.org/bots/api#sendchataction */
  async act(action, peer, account) {
    const request = renderTelegramAction(peer, action);
    if (!request) return { kind: "failed", error: { reason: "unsupported_content", detail: `Telegram bots cannot do ${action.type}` } };
    const called = await call(account, request);
    if ("kind" in called) return called;
    const { res, answer } = called;
    if (res.ok && readTelegramAnswer(answer)?.ok) return { kind: "ok" };
    // Failures read as a send's do (flood control, a blocked bot, a chat that is gone).
    const result = classifySendResponse(res, answer, peer);
    return result.kind === "ok" ? { kind: "ok" } : result;
  },
} satisfies ChannelAdapter<TelegramAccount>;

/**
 * What the relay records as the platform id of a reaction it set: the reacted message's id, marked, since
 * Telegram gives a reaction no id of its own.
 */
const reactionId = (chatId: string, messageId: string) => `reaction:${telegramMessageId(chatId, messageId)}`;

/** One Bot API call and its parsed answer, or a retry when no complete answer came. */
async function call(account: TelegramAccount, request: TelegramRequest): Promise<{ res: Response; answer: unknown } | { kind: "retry"; detail: string }> {
  try {
    const res = await callBotApi(account, request.method, request.params);
    return { res, answer: await readJson(res) };
  } catch (e) {
    // Never a foreign error's message: it could quote the URL, and the URL holds the bot token.
    if (e instanceof UnreachableError) return { kind: "retry", detail: `Telegram ${request.method}: ${e.message}` };
    return { kind: "retry", detail: `Telegram ${request.method}: no complete answer (${e instanceof Error ? e.name : "error"})` };
  }
}
