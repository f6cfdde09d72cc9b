import type { FailureReason, StatusError } from "../../model";
import { retryAfterSeconds } from "../http";
import type { SendResult } from "../types";
import { tokenOf } from "./json";

/** `status` of a Viber answer that means success. @see https://creators.viber.com/docs/bots-api/errors */
export const VIBER_OK = 0;
/**
 * Rate control breach: more than 100 messages to one user within an hour without a reply from them.
 * @see https://creators.viber.com/docs/bots-api/resources/messaging/send-message
 */
export const VIBER_TOO_MANY_REQUESTS = 12;

/**
 * What each Viber status code means and the reason clients see when it ends a message. Viber answers
 * every call with HTTP 200; the outcome is the body's numeric `status`.
 * @see https://creators.viber.com/docs/bots-api/errors
 * @see https://developers.viber.com/docs/api/rest-bot-api/#error-codes
 */
export const VIBER_STATUS_CODES: Record<number, { reason: FailureReason; meaning: string }> = {
  1: { reason: "platform_error", meaning: "The webhook URL is not valid" },
  2: { reason: "auth_failed", meaning: "The authentication token is not valid" },
  3: { reason: "content_rejected", meaning: "The request is malformed" },
  4: { reason: "content_rejected", meaning: "Mandatory data is missing" },
  5: { reason: "recipient_invalid", meaning: "The receiver is not registered to Viber" },
  // The customer unsubscribed (or never subscribed): they chose not to hear from the bot.
  6: { reason: "recipient_blocked", meaning: "The receiver is not subscribed to the bot" },
  7: { reason: "auth_failed", meaning: "The bot account is blocked" },
  8: { reason: "auth_failed", meaning: "The token's account is not a bot account" },
  9: { reason: "auth_failed", meaning: "The bot account is suspended" },
  // Viber sends nothing for a bot without a webhook: an operator must call set_webhook.
  10: { reason: "platform_error", meaning: "No webhook is set for the bot (call set_webhook)" },
  11: { reason: "recipient_invalid", meaning: "The receiver's device or Viber version does not support bots" },
  13: { reason: "unsupported_content", meaning: "The receiver's Viber is older than the message's min_api_version" },
  14: { reason: "content_rejected", meaning: "min_api_version does not fit the message's fields" },
  15: { reason: "auth_failed", meaning: "The bot account is not authorized" },
  16: { reason: "platform_error", meaning: "Inline message not allowed" },
  17: { reason: "platform_error", meaning: "The account is not inline" },
  18: { reason: "platform_error", meaning: "The bot has no Public Chat interface" },
  19: { reason: "platform_error", meaning: "Cannot send a broadcast message" },
  20: { reason: "platform_error", meaning: "Broadcast attempted from a bot" },
  21: { reason: "recipient_invalid", meaning: "The message is not supported in the receiver's country" },
  22: { reason: "unsupported_content", meaning: "The bot does not support payment messages" },
  // Both only stop messages outside a session the customer opened: the customer has to write first.
  23: { reason: "window_closed", meaning: "The free out-of-session messages of this month are used up" },
  24: { reason: "window_closed", meaning: "No balance left for out-of-session messages" },
};

interface ViberAnswer {
  status?: number;
  statusMessage?: string;
  messageToken?: string;
}

/**
 * The fields of a Viber answer body, whatever its shape. `status` may come as a numeric string.
 * @see https://creators.viber.com/docs/bots-api/resources/messaging/send-message
 */
export function readViberAnswer(body: unknown): ViberAnswer {
  if (typeof body !== "object" || body === null) return {};
  const b = body as Record<string, unknown>;
  const numeric = typeof b.status === "string" && /^\d+$/.test(b.status);
  const status = typeof b.status === "number" ? b.status : numeric ? Number(b.status) : undefined;
  return {
    ...(status !== undefined && { status }),
    ...(typeof b.status_message === "string" && b.status_message && { statusMessage: b.status_message }),
    ...(tokenOf(b.message_token) && { messageToken: tokenOf(b.message_token) }),
  };
}

/** A non-zero Viber status as the unified error. @see https://creators.viber.com/docs/bots-api/errors */
export function viberStatusError(status: number, statusMessage?: string): StatusError {
  const known = VIBER_STATUS_CODES[status];
  const detail = [known?.meaning ?? "General error", statusMessage].filter(Boolean).join(": ");
  return { reason: known?.reason ?? "platform_error", code: String(status), detail };
}

/**
 * Classifies Viber's answer to `send_message`. HTTP errors are transport trouble (429 and 5xx retried,
 * honouring Retry-After); on HTTP 200 the body's `status` decides: 0 is sent (its exact
 * `message_token` is the id statuses refer to), 12 is throttling (retried with backoff: Viber gives no
 * retry time), every other code ends the message with its reason.
 * @see https://creators.viber.com/docs/bots-api/resources/messaging/send-message
 */
export function classifyViberResponse(res: Response, body: unknown): SendResult {
  if (!res.ok) {
    const label = `Viber answered HTTP ${res.status}`;
    if (res.status === 429 || res.status === 408 || res.status >= 500) {
      return { kind: "retry", afterSeconds: retryAfterSeconds(res.headers), detail: label };
    }
    const reason = res.status === 401 || res.status === 403 ? "auth_failed" : "platform_error";
    return { kind: "failed", error: { reason, code: String(res.status), detail: label } };
  }
  const answer = readViberAnswer(body);
  if (answer.status === undefined) return { kind: "retry", detail: "Viber answered without a status" };
  if (answer.status === VIBER_OK) {
    if (answer.messageToken) return { kind: "ok", platformMessageId: answer.messageToken };
    return { kind: "retry", detail: "Viber accepted the message without a message_token" };
  }
  if (answer.status === VIBER_TOO_MANY_REQUESTS) {
    return { kind: "retry", detail: `Viber status 12 (rate control)${answer.statusMessage ? `: ${answer.statusMessage}` : ""}` };
  }
  return { kind: "failed", error: viberStatusError(answer.status, answer.statusMessage) };
}
