import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ALARM_LOST_AFTER_MS, armAt } from "../../src/delivery/alarm";

const fresh = () => env.ENDPOINTS.get(env.ENDPOINTS.newUniqueId());

describe("armAt", () => {
  it("keeps the earliest due time, and never sets an alarm for now or the past", () =>
    runInDurableObject(fresh(), async (_, state) => {
      const now = Date.now() + 3_600_000; // an hour ahead, so no alarm fires while the test runs
      await armAt(state.storage, now + 5000, now);
      expect(await state.storage.getAlarm()).toBe(now + 5000);
      await armAt(state.storage, now + 9000, now);
      expect(await state.storage.getAlarm()).toBe(now + 5000);
      await armAt(state.storage, now - 50, now);
      expect(await state.storage.getAlarm()).toBe(now + 1);
      await state.storage.deleteAlarm();
    }));

  it("leaves a late alarm to fire, and sets again one whose time passed long ago without firing", () =>
    runInDurableObject(fresh(), async (_, state) => {
      const later = Date.now() + 60_000;
      await state.storage.setAlarm(later);
      // A moment after its time, the alarm is merely late (a busy object): it is left as it is.
      await armAt(state.storage, later + 30_000, later + 50);
      expect(await state.storage.getAlarm()).toBe(later);
      await armAt(state.storage, later + 30_000, later + ALARM_LOST_AFTER_MS - 1);
      expect(await state.storage.getAlarm()).toBe(later);
      // Long after its time, it is lost: re-armed at the new due time.
      await armAt(state.storage, later + 30_000, later + ALARM_LOST_AFTER_MS);
      expect(await state.storage.getAlarm()).toBe(later + 30_000);
      await state.storage.deleteAlarm();
    }));
});
