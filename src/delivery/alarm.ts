/**
 * How late an alarm may be before it counts as lost. A busy object runs its alarm some milliseconds
 * after its time; setting it again meanwhile would cost a write to the runtime's alarm store for every
 * call that arrives in between, and change nothing.
 */
export const ALARM_LOST_AFTER_MS = 5_000;

/**
 * Keeps a Durable Object's one alarm at the earliest time anything is due.
 *
 * Two runtime facts shape it: an alarm set for exactly the time of the alarm now running is dropped
 * (it never fires, yet `getAlarm()` keeps returning it), so an alarm is never set for now or earlier;
 * and an alarm time long past (ALARM_LOST_AFTER_MS) that did not fire is treated as lost and set again.
 * @see https://github.com/cloudflare/workerd/issues/6866
 */
export async function armAt(storage: DurableObjectStorage, when: number, now = Date.now()): Promise<void> {
  const at = Math.max(when, now + 1);
  const current = await storage.getAlarm();
  if (current === null || current > at || current <= now - ALARM_LOST_AFTER_MS) await storage.setAlarm(at);
}
