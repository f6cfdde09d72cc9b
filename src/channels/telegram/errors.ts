import type { FailureReason, StatusError } from "../../model";
import { retryAfterSeconds } from "../http";
import type { SendResult } from "../types";
import { telegramId, telegramMessageId } from "./ids";

/** Most a `retry_after` can make a message wait (beyond it, the relay's backoff takes over). */
const MAX_RETRY_AFTER_SECONDS = 3600;

/**
 * A Bot API answer: `{"ok":true,"result":...}` or
 * `{"ok":false,"error_code":N,"description":"...","parameters":{"retry_after":S,"migrate_to_chat_id":C}}`.
 * @see https://core.telegram.org/bots/api#making-requests
 * @see https://core.telegram.org/bots/api#responseparameters
 */
export interface TelegramAnswer {
  ok: boolean;
  result?: unknown;
  errorCode?: number;
  description?: string;
  retryAfter?: number;
  migrateToChatId?: string;
}

/** Reads a Bot API answer body; undefined when it is not one (an HTML error page, a proxy's answer). */
export function readTelegramAnswer(body: unknown): TelegramAnswer | undefined {
  if (typeof body !== "object" || body === null || typeof (body as { ok?: unknown }).ok !== "boolean") return undefined;
  const b = body as Record<string, unknown>;
  const p = typeof b.parameters === "object" && b.parameters !== null ? (b.parameters as Record<string, unknown>) : {};
  const migrate = telegramId(p.migrate_to_chat_id);
  return {
    ok: b.ok === true,
    ...("result" in b && { result: b.result }),
    ...(typeof b.error_code === "number" && { errorCode: b.error_code }),
    ...(typeof b.description === "string" && { description: b.description }),
    ...(typeof p.retry_after === "number" && p.retry_after >= 0 && { retryAfter: p.retry_after }),
    ...(migrate && { migrateToChatId: migrate }),
  };
}

/**
 * Descriptions that say why a request failed for good, by the reason clients see; matched in order, case
 * insensitively, within their error code. Telegram's codes are coarse (400 covers both a missing chat and a
 * bad parameter), so the description decides.
 * @see https://core.telegram.org/bots/api#making-requests
 */
const BY_DESCRIPTION: { code: number; pattern: RegExp; reason: FailureReason }[] = [
  { code: 403, pattern: /bot was blocked by the user/i, reason: "recipient_blocked" },
  { code: 403, pattern: /user is deactivated/i, reason: "recipient_invalid" },
  // The user never started the bot: bots cannot write first.
  { code: 403, pattern: /can't initiate conversation/i, reason: "recipient_invalid" },
  { code: 400, pattern: /chat not found|user not found|PEER_ID_INVALID|chat_id is empty/i, reason: "recipient_invalid" },
  // The group became a supergroup with a new id (given in `migrate_to_chat_id`).
  { code: 400, pattern: /upgraded to a supergroup/i, reason: "recipient_invalid" },
  {
    code: 400,
    pattern:
      /wrong file identifier|HTTP URL|wrong remote file|wrong type of the web page content|file is too big|IMAGE_PROCESS_FAILED|PHOTO_INVALID|WEBPAGE_CURL_FAILED|WEBPAGE_MEDIA_EMPTY|failed to get/i,
    reason: "media_failed",
  },
];

/** The reason of a permanent Bot API error. */
function reasonOf(code: number, description: string): FailureReason {
  const known = BY_DESCRIPTION.find((d) => d.code === code && d.pattern.test(description));
  if (known) return known.reason;
  // 401: the token is wrong or revoked; 404: the Bot API answers Not Found to a malformed token.
  if (code === 401 || code === 404) return "auth_failed";
  // Any other 403 forbids the bot this chat (kicked, not a member, no right to post).
  if (code === 403) return "recipient_blocked";
  if (code === 400) return "content_rejected";
  return "platform_error";
}

/** A Bot API error as the unified status error. */
export function toStatusError(code: number, description: string | undefined, migrateTo?: string): StatusError {
  const detail = [description, migrateTo && `the chat moved to ${migrateTo}`].filter(Boolean).join("; ");
  return { reason: reasonOf(code, description ?? ""), code: String(code), ...(detail && { detail }) };
}

/**
 * Classifies the Bot API's answer to a send: `ok` with `<chat id>:<message_id>`; 429 (flood control) is
 * retried after `parameters.retry_after` (or `Retry-After`); 5xx and timeouts are retried with backoff;
 * everything else fails for good with a reason read from the error code and description.
 * @see https://core.telegram.org/bots/api#making-requests
 * @see https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
 */
export function classifySendResponse(res: Response, body: unknown, chatId: string): SendResult {
  const answer = readTelegramAnswer(body);
  if (res.ok && answer?.ok) {
    const result = (typeof answer.result === "object" && answer.result !== null ? answer.result : {}) as Record<string, unknown>;
    const id = telegramId(result.message_id);
    const chat = typeof result.chat === "object" && result.chat !== null ? telegramId((result.chat as { id?: unknown }).id) : undefined;
    // message_id 0 is not a message; resending could duplicate one, so this fails rather than retries.
    if (id && id !== "0") return { kind: "ok", platformMessageId: telegramMessageId(chat ?? chatId, id) };
    return { kind: "failed", error: { reason: "platform_error", detail: "Telegram accepted the request without a message id" } };
  }
  const code = answer?.errorCode ?? res.status;
  const label = `Telegram answered ${res.status}${answer?.description ? `: ${answer.description}` : ""}`;
  if (code === 429 || res.status === 429) {
    const after = answer?.retryAfter ?? retryAfterSeconds(res.headers);
    return { kind: "retry", ...(after !== undefined && { afterSeconds: Math.min(Math.ceil(after), MAX_RETRY_AFTER_SECONDS) }), detail: label };
  }
  if (res.status >= 500 || code >= 500 || res.status === 408) {
    return { kind: "retry", afterSeconds: retryAfterSeconds(res.headers), detail: label };
  }
  if (res.ok && !answer) {
    // A 200 that is not a Bot API answer: a proxy or captive page; the message may not have gone out.
    return { kind: "retry", detail: "Telegram's answer was not a Bot API response" };
  }
  return { kind: "failed", error: toStatusError(code, answer?.description, answer?.migrateToChatId) };
}
