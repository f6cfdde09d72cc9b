import type { SendResult } from "../channels/types";
import type { StatusError } from "../model";
import { outboundRetryDelayMs } from "./retry-policy";

/** Attempts that end in an error of the relay's own code before the message fails as `internal_error`. */
export const MAX_INTERNAL_ERRORS = 3;
/**
 * Attempts at a business's media server that does not answer (or answers 5xx) before the message fails as
 * `media_failed`: with backoff, a few minutes; a dead server must not hold the conversation for a day.
 */
export const MAX_MEDIA_ERRORS = 8;

/** One send attempt: the adapter's classified result, or an error of the relay's own code. */
export type Attempt =
  | Exclude<SendResult, { kind: "ok" }>
  | { kind: "ok"; platformMessageId: string; last: boolean }
  | { kind: "internal"; detail: string };

/** What happens to a message after an attempt. */
export type SendDecision =
  | { kind: "sent"; platformMessageId: string; last: boolean }
  | { kind: "fail"; error: StatusError; countAttempt: boolean }
  | { kind: "defer"; delayMs: number; detail: string; counted?: "internal" | "media" };

/** How often the message failed before this attempt, by kind. */
export interface AttemptHistory {
  attempts: number;
  internalErrors: number;
  mediaErrors: number;
}

/**
 * Decides a message's fate from one attempt: sent (part by part), failed for good, or tried again after
 * a backoff (the platform's Retry-After when it gave one). Errors of the relay's own code and of the
 * business's media server fail the message after a few attempts, so that neither holds the conversation.
 * Pure: `scale` shrinks time in tests, `random` is the backoff's jitter.
 */
export function decideAfterAttempt(history: AttemptHistory, result: Attempt, scale = 1, random: () => number = Math.random): SendDecision {
  if (result.kind === "ok") return { kind: "sent", platformMessageId: result.platformMessageId, last: result.last };
  if (result.kind === "failed") return { kind: "fail", error: result.error, countAttempt: true };
  if (result.kind === "internal" && history.internalErrors + 1 >= MAX_INTERNAL_ERRORS) {
    return {
      kind: "fail",
      error: { reason: "internal_error", detail: "the relay could not process this message; its operator has the details" },
      countAttempt: true,
    };
  }
  if (result.kind === "retry" && result.cause === "media" && history.mediaErrors + 1 >= MAX_MEDIA_ERRORS) {
    return { kind: "fail", error: { reason: "media_failed", detail: `gave up after ${MAX_MEDIA_ERRORS} attempts: ${result.detail}` }, countAttempt: true };
  }
  const delayMs = outboundRetryDelayMs(history.attempts + 1, result.kind === "retry" ? result.afterSeconds : undefined, scale, random);
  const counted = result.kind === "internal" ? "internal" : result.cause;
  return { kind: "defer", delayMs, detail: result.detail, ...(counted && { counted }) };
}
