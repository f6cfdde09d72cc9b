/**
 * The fault suite, small: soak/harness.mjs with a few hundred messages each way, every fault kind on
 * the container and the backend, the relay SIGKILLed during the run and again in the alarm probe.
 * Runs in Node (project "fault-suite" in vitest.config.ts): it spawns workerd and kills it.
 * `npm run soak` is the big version.
 */
import { describe, expect, it } from "vitest";
import { formatReport, runSoak, type SoakResult } from "../../soak/harness.mjs";

const FAULT_KINDS = ["5xx", "429", "hang", "slow", "refuse"];

describe("fault suite (small soak)", () => {
  it("delivers everything acknowledged, once and in order, through faults on every side and relay kills", async () => {
    const result: SoakResult = await runSoak({
      outbound: 300,
      inbound: 200,
      conversations: 30,
      driveSeconds: 30,
      kills: 1,
      faults: 12,
      burst: 6,
      drainCapSeconds: 75,
      // Endpoint retries then wait 0, 25 ms, 1.5 s, 9 s, 36 s...: a conversation hit by three faults in
      // a row still drains within the test's time.
      retryTimeScale: "0.005",
      alarmProbe: true,
    });
    console.log(formatReport(result));

    for (const direction of ["outbound", "inbound"] as const) {
      const d = result[direction];
      expect(d.acknowledged, `${direction}: acknowledged`).toBeGreaterThan(0);
      expect(d.lost, `${direction}: lost\n${d.evidence.join("\n")}`).toBe(0);
      expect(d.duplicates, `${direction}: duplicates at the receiver\n${d.evidence.join("\n")}`).toBe(0);
      expect(d.orderViolations, `${direction}: order violations\n${d.evidence.join("\n")}`).toBe(0);
      expect(d.unexpected, `${direction}: unexpected arrivals\n${d.evidence.join("\n")}`).toBe(0);
    }
    expect(result.outbound.notAcknowledged, "outbound: sends the relay never accepted").toBe(0);
    expect(result.times.drained, "everything acknowledged arrived before the drain cap").toBe(true);

    // Each fault actually happened, on both sides, and the relay was really killed and restarted.
    for (const kind of FAULT_KINDS) {
      expect(result.faults.container[kind] ?? 0, `container fault ${kind}`).toBeGreaterThan(0);
      expect(result.faults.backend[kind] ?? 0, `backend fault ${kind}`).toBeGreaterThan(0);
    }
    expect(result.faults.relayKills).toBeGreaterThanOrEqual(1);
    expect(result.faults.relayStarts).toBeGreaterThanOrEqual(result.faults.relayKills + 1);

    // Deliveries pending in a Durable Object alarm survive a SIGKILL of the relay.
    expect(result.probe.length).toBe(4);
    for (const p of result.probe) expect(p.arrived, `alarm probe: ${p.name}`).toBe(true);
    expect(result.failures).toEqual([]);
  });
});
