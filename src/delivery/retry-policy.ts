/**
 * When to try again. Pure functions of the attempt count, so that they are tested on their own; `scale`
 * shrinks time in the sandbox and tests.
 */

/** First outbound retry waits up to this long; each further attempt doubles the ceiling. */
export const OUTBOUND_BASE_DELAY_MS = 1_000;
export const OUTBOUND_MAX_DELAY_MS = 5 * 60_000;
/** A message not accepted by its platform within a day fails with reason `expired`. */
export const OUTBOUND_MAX_AGE_MS = 24 * 3600_000;

/** Whether a message queued at `queuedAt` has waited too long to be sent at all (it fails as `expired`). */
export function outboundExpired(queuedAt: number, now: number): boolean {
  return now - queuedAt > OUTBOUND_MAX_AGE_MS;
}

/**
 * Delay before outbound attempt `attempt + 1` (attempt counts failures so far, from 1): full-jitter
 * exponential backoff, or the platform's `Retry-After` when it gave one.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function outboundRetryDelayMs(
  attempt: number,
  retryAfterSeconds: number | undefined,
  scale = 1,
  random: () => number = Math.random,
): number {
  if (retryAfterSeconds !== undefined) return retryAfterSeconds * 1000;
  const ceiling = Math.min(OUTBOUND_MAX_DELAY_MS, OUTBOUND_BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling * scale);
}

/**
 * The Standard Webhooks retry schedule for business endpoints: immediately, 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 10 h, then every 10 h.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#deliverability-and-reliability
 */
export const WEBHOOK_SCHEDULE_MS = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** Delay before webhook attempt `attempt + 1`, `attempt` being the failures so far (from 1). */
export function webhookRetryDelayMs(attempt: number, retryAfterSeconds?: number, scale = 1): number {
  const step = WEBHOOK_SCHEDULE_MS[Math.min(attempt, WEBHOOK_SCHEDULE_MS.length - 1)]!;
  return Math.max(step * scale, (retryAfterSeconds ?? 0) * 1000);
}

/** Reads the time scale from its variable: a positive number, 1 when unset. */
export function timeScale(value: string | undefined): number {
  const n = value === undefined ? 1 : Number(value);
  return Number.isFinite(n) && n > 0 ? n : 1;
}
