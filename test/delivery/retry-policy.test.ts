import { describe, expect, it } from "vitest";
import {
  OUTBOUND_MAX_AGE_MS,
  OUTBOUND_MAX_DELAY_MS,
  outboundExpired,
  outboundRetryDelayMs,
  timeScale,
  WEBHOOK_SCHEDULE_MS,
  webhookRetryDelayMs,
} from "../../src/delivery/retry-policy";

describe("retry policy", () => {
  it("outbound: full jitter under a doubling ceiling, capped", () => {
    expect(outboundRetryDelayMs(1, undefined, 1, () => 1)).toBe(1000);
    expect(outboundRetryDelayMs(3, undefined, 1, () => 1)).toBe(4000);
    expect(outboundRetryDelayMs(3, undefined, 1, () => 0.5)).toBe(2000);
    expect(outboundRetryDelayMs(3, undefined, 1, () => 0)).toBe(0);
    expect(outboundRetryDelayMs(40, undefined, 1, () => 1)).toBe(OUTBOUND_MAX_DELAY_MS);
    expect(outboundRetryDelayMs(3, undefined, 0.01, () => 1)).toBe(40);
  });

  it("outbound: a message waiting longer than a day has expired", () => {
    expect(OUTBOUND_MAX_AGE_MS).toBe(24 * 3600_000);
    expect(outboundExpired(0, OUTBOUND_MAX_AGE_MS)).toBe(false);
    expect(outboundExpired(0, OUTBOUND_MAX_AGE_MS + 1)).toBe(true);
  });

  it("outbound: the platform's Retry-After wins", () => {
    expect(outboundRetryDelayMs(1, 7, 1, () => 0)).toBe(7000);
    expect(outboundRetryDelayMs(9, 0, 1, () => 1)).toBe(0);
  });

  it("webhooks: the Standard Webhooks schedule, then every 10 hours", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((a) => webhookRetryDelayMs(a));
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, 36_000_000, 36_000_000]);
    expect(WEBHOOK_SCHEDULE_MS[0]).toBe(0);
    expect(webhookRetryDelayMs(1, 60)).toBe(60_000);
  });

  it("reads the time scale defensively", () => {
    expect(timeScale(undefined)).toBe(1);
    expect(timeScale("0.01")).toBe(0.01);
    expect(timeScale("-3")).toBe(1);
    expect(timeScale("soon")).toBe(1);
  });
});
