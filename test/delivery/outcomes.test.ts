import { describe, expect, it } from "vitest";
import { decideAfterDelivery, ENDPOINT_DISABLE_AFTER_MS } from "../../src/delivery/delivery-outcome";
import { type Attempt, decideAfterAttempt, MAX_INTERNAL_ERRORS, MAX_MEDIA_ERRORS, type SendDecision } from "../../src/delivery/send-outcome";

const fresh = { attempts: 0, internalErrors: 0, mediaErrors: 0 };
const half = () => 0.5;

describe("after a send attempt", () => {
  const table: [string, typeof fresh, Attempt, SendDecision][] = [
    ["a part accepted", fresh, { kind: "ok", platformMessageId: "p1", last: false }, { kind: "sent", platformMessageId: "p1", last: false }],
    ["refused for good", fresh, { kind: "failed", error: { reason: "recipient_invalid" } }, { kind: "fail", error: { reason: "recipient_invalid" }, countAttempt: true }],
    ["throttled with Retry-After", { ...fresh, attempts: 3 }, { kind: "retry", afterSeconds: 7, detail: "429" }, { kind: "defer", delayMs: 7000, detail: "429" }],
    ["unreachable: backoff with jitter", { ...fresh, attempts: 2 }, { kind: "retry", detail: "timeout" }, { kind: "defer", delayMs: 2000, detail: "timeout" }],
    ["the relay's own error, counted", fresh, { kind: "internal", detail: "TypeError" }, { kind: "defer", delayMs: 500, detail: "TypeError", counted: "internal" }],
    [
      "the relay's own error, once too often",
      { ...fresh, internalErrors: MAX_INTERNAL_ERRORS - 1 },
      { kind: "internal", detail: "TypeError" },
      { kind: "fail", error: { reason: "internal_error", detail: "the relay could not process this message; its operator has the details" }, countAttempt: true },
    ],
    ["the media server failing, counted", fresh, { kind: "retry", detail: "503", cause: "media" }, { kind: "defer", delayMs: 500, detail: "503", counted: "media" }],
    [
      "the media server failing, once too often",
      { ...fresh, mediaErrors: MAX_MEDIA_ERRORS - 1 },
      { kind: "retry", detail: "503", cause: "media" },
      { kind: "fail", error: { reason: "media_failed", detail: `gave up after ${MAX_MEDIA_ERRORS} attempts: 503` }, countAttempt: true },
    ],
  ];
  it.each(table)("%s", (_, history, attempt, decision) => expect(decideAfterAttempt(history, attempt, 1, half)).toEqual(decision));

  it("scales the backoff, not a platform's Retry-After", () => {
    expect(decideAfterAttempt(fresh, { kind: "retry", detail: "x" }, 0.01, () => 1)).toMatchObject({ delayMs: 10 });
    expect(decideAfterAttempt(fresh, { kind: "retry", afterSeconds: 2, detail: "x" }, 0.01, () => 1)).toMatchObject({ delayMs: 2000 });
  });
});

describe("after a delivery to an endpoint", () => {
  const now = 1_000_000_000;
  it.each([
    ["200 delivers", { kind: "answered", status: 200 }, 0, undefined, { kind: "delivered" }],
    ["204 delivers", { kind: "answered", status: 204 }, 3, now - 1, { kind: "delivered" }],
    ["500 first failure: after 5 s", { kind: "answered", status: 500 }, 0, undefined, { kind: "failed", failure: "HTTP 500", retryAt: now + 5_000 }],
    ["503 with a longer Retry-After", { kind: "answered", status: 503, retryAfterSeconds: 60 }, 0, undefined, { kind: "failed", failure: "HTTP 503", retryAt: now + 60_000 }],
    ["a redirect is a failure", { kind: "answered", status: 302 }, 1, now, { kind: "failed", failure: "HTTP 302", retryAt: now + 300_000 }],
    ["unreachable", { kind: "unreachable", detail: "TimeoutError: 10 s" }, 0, undefined, { kind: "failed", failure: "TimeoutError: 10 s", retryAt: now + 5_000 }],
    ["410 disables at once", { kind: "answered", status: 410 }, 0, undefined, { kind: "failed", failure: "HTTP 410", retryAt: now, disable: "the endpoint answered 410 Gone" }],
    [
      "failing for longer than the limit disables",
      { kind: "answered", status: 500 },
      9,
      now - ENDPOINT_DISABLE_AFTER_MS - 1,
      { kind: "failed", failure: "HTTP 500", retryAt: now + 36_000_000, disable: `every delivery failed since ${new Date(now - ENDPOINT_DISABLE_AFTER_MS - 1).toISOString()}` },
    ],
    ["failing for just the limit does not", { kind: "answered", status: 500 }, 9, now - ENDPOINT_DISABLE_AFTER_MS, { kind: "failed", failure: "HTTP 500", retryAt: now + 36_000_000 }],
  ] as const)("%s", (_, response, attempts, failingSince, decision) => expect(decideAfterDelivery(response, attempts, failingSince, now)).toEqual(decision));
});
