/**
 * Statistics as tables: each shard's counts over a window with an injected clock
 * (conversation-stats.ts, endpoint-stats.ts), the delivery log they read, and how parts add up (stats.ts).
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConversationStore } from "../../src/delivery/conversation-store";
import { conversationShardStats } from "../../src/delivery/conversation-stats";
import { DELIVERY_LOG_ROWS, DeliveryLog, deliveryOutcome } from "../../src/delivery/delivery-log";
import type { DeliveryResponse } from "../../src/delivery/delivery-outcome";
import { endpointShardStats } from "../../src/delivery/endpoint-stats";
import { EndpointStore } from "../../src/delivery/endpoint-store";
import { receivedCopies } from "../../src/delivery/fan-out";
import { emptyStatsPart, mergeStats, MINUTE_MS, percentiles, type StatsPart, statsWindow } from "../../src/delivery/stats";
import { firstKeyAtOrAfter } from "../../src/delivery/time-keys";
import type { ChannelId, InboundEvent } from "../../src/model";

/** A minute well after the epoch: the window is its three minutes. */
const BASE = 1_000 * MINUTE_MS;
const s = (seconds: number) => BASE + seconds * 1000;
const WINDOW = { from: BASE, to: BASE + 3 * MINUTE_MS };

/** Runs `run` on the storage of a new object of `kind`. */
function onFreshObject<T>(kind: "conversation" | "endpoint", run: (sql: SqlStorage) => T) {
  const stub = kind === "conversation" ? env.CONVERSATIONS.get(env.CONVERSATIONS.newUniqueId()) : env.ENDPOINTS.get(env.ENDPOINTS.newUniqueId());
  return runInDurableObject(stub, (_: unknown, state: DurableObjectState) => run(state.storage.sql));
}

describe("the window", () => {
  it.each([
    [5 * MINUTE_MS + 1, 3, { from: 3 * MINUTE_MS, to: 6 * MINUTE_MS }],
    [5 * MINUTE_MS, 1, { from: 5 * MINUTE_MS, to: 6 * MINUTE_MS }],
    [6 * MINUTE_MS - 1, 1440, { from: 6 * MINUTE_MS - 1440 * MINUTE_MS, to: 6 * MINUTE_MS }],
  ])("at %i over %i minutes is %j: whole minutes, the running one last", (now, minutes, window) => {
    expect(statsWindow(now, minutes)).toEqual(window);
  });
});

describe("percentiles", () => {
  it.each([
    [{}, { p50: null, p90: null, p99: null }],
    [{ "7": 1 }, { p50: 7, p90: 7, p99: 7 }],
    [{ "100": 50, "200": 40, "1000": 9, "5000": 1 }, { p50: 100, p90: 200, p99: 1000 }],
    [{ "5000": 1, "100": 50, "1000": 9, "200": 40, "3": 0 }, { p50: 100, p90: 200, p99: 1000 }],
    [{ "10": 1, "20": 1 }, { p50: 10, p90: 20, p99: 20 }],
  ])("of %j are %j (nearest rank)", (histogram, expected) => {
    expect(percentiles(histogram)).toEqual(expected);
  });
});

describe("mergeStats", () => {
  it("adds parts up, lists every minute of the window, and leaves out minutes outside it", () => {
    const a: StatsPart = {
      minutes: { [BASE]: { messages: 2, sent: 1 }, [BASE + 2 * MINUTE_MS]: { failed: 1 }, [BASE + 3 * MINUTE_MS]: { messages: 9 } },
      byChannel: { whatsapp: { messages: 2, sent: 1, failed: 1 } },
      failuresByReason: { window_closed: 1 },
      latencies: {},
      totals: { queued: 1, retrying: 0, dead: 1 },
    };
    const b: StatsPart = {
      minutes: { [BASE]: { received: 3, delivered: 2 } },
      byChannel: { whatsapp: { received: 2 }, telegram: { received: 1 } },
      failuresByReason: { window_closed: 2, endpoint_http_5xx: 1 },
      latencies: { "120": 1, "80": 1 },
      totals: { queued: 2, retrying: 3, dead: 0 },
    };
    expect(mergeStats(WINDOW, [a, b, emptyStatsPart()])).toEqual({
      from: new Date(BASE).toISOString(),
      to: new Date(BASE + 3 * MINUTE_MS).toISOString(),
      minutes: [
        { minute: new Date(BASE).toISOString(), messages: 2, sent: 1, failed: 0, received: 3, delivered: 2 },
        { minute: new Date(BASE + MINUTE_MS).toISOString(), messages: 0, sent: 0, failed: 0, received: 0, delivered: 0 },
        { minute: new Date(BASE + 2 * MINUTE_MS).toISOString(), messages: 0, sent: 0, failed: 1, received: 0, delivered: 0 },
      ],
      failuresByReason: { window_closed: 3, endpoint_http_5xx: 1 },
      deliveryLatencyMs: { p50: 80, p90: 120, p99: 120 },
      totals: { queued: 3, retrying: 3, dead: 1 },
      byChannel: { whatsapp: { messages: 2, sent: 1, failed: 1, received: 2 }, telegram: { messages: 0, sent: 0, failed: 0, received: 1 } },
    });
  });
});

describe("firstKeyAtOrAfter", () => {
  it.each([
    [[], 5, []],
    [[[1, 10], [2, 20], [3, 20], [4, 30]], 5, [1, 2, 3, 4]],
    [[[1, 10], [2, 20], [3, 20], [4, 30]], 20, [2, 3, 4]],
    [[[1, 10], [2, 20], [3, 20], [4, 30]], 25, [4]],
    [[[1, 10], [2, 20], [3, 20], [4, 30]], 31, []],
    [[[3, 10], [40, 20], [41, 25], [900, 30]], 21, [41, 900]],
  ] as [number[][], number, number[]][])("over rows %j from %i selects keys %j", (rows, from, keys) =>
    onFreshObject("endpoint", (sql) => {
      sql.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, at INTEGER NOT NULL)");
      for (const [k, at] of rows) sql.exec("INSERT INTO t (k, at) VALUES (?, ?)", k, at);
      const first = firstKeyAtOrAfter(sql, { table: "t", key: "k", time: "at" }, from);
      const selected = first === undefined ? [] : sql.exec<{ k: number }>("SELECT k FROM t WHERE k >= ? ORDER BY k", first).toArray().map((r) => r.k);
      expect(selected).toEqual(keys);
    }),
  );
});

describe("a window in a large shard", () => {
  it("is found in a few lookups by key, and only its rows are counted", () =>
    onFreshObject("endpoint", (sql) => {
      const store = new EndpointStore(sql);
      const total = 20_000;
      // One event a second for 20,000 seconds; the window is the last three minutes of them.
      const start = BASE - (total - 180) * 1000;
      for (let i = 0; i < total; i += 500) {
        for (let j = i; j < i + 500; j++) store.append([event(`big-${j}`, "message.received")], start + j * 1000, new Set([`big-${j}`]));
      }
      let statements = 0;
      const counting = new Proxy(sql, {
        get: (target, name) =>
          name === "exec"
            ? (query: string, ...args: SqlStorageValue[]) => {
                statements++;
                return target.exec(query, ...args);
              }
            : Reflect.get(target, name),
      });
      expect(firstKeyAtOrAfter(counting, { table: "events", key: "seq", time: "created_at" }, BASE)).toBe(total - 180 + 1);
      expect(statements).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(total)) + 1);
      const part = endpointShardStats(sql, WINDOW, false);
      expect(Object.values(part.minutes).map((m) => m.received)).toEqual([60, 60, 60]);
      expect(part.totals.queued).toBe(total);
    }));
});

describe("conversation shard statistics", () => {
  it("count accepted, sent and failed messages by minute (steps by when the relay recorded them), reasons, and what waits", () =>
    onFreshObject("conversation", (sql) => {
      let clock = 0;
      const store = new ConversationStore(sql, () => clock);
      const address = (peer: string) => ({ tenant: "acme", channel: "whatsapp", account: "wa-acme", peer }) as const;
      const queue = (id: string, at: number) => {
        clock = at;
        store.enqueue([{ address: address(id), id, content: { type: "text", text: id } }], at);
        return { id, address: address(id), seq: sql.exec<{ seq: number }>("SELECT seq FROM messages WHERE id = ?", id).one().seq };
      };
      const old = queue("old", s(-30));
      const a = queue("a", s(5));
      const b = queue("b", s(65));
      queue("c", s(125));
      const d = queue("d", s(126));
      queue("late", s(200));
      clock = s(10);
      store.markPartSent(old, "wamid.old", 0, true, s(10));
      clock = s(66);
      store.markPartSent(b, "wamid.b", 0, true, s(66));
      clock = s(70);
      store.markFailed(a, { reason: "window_closed" }, s(70), true);
      // The platform's own time is ten minutes back; the relay recorded the failure in the third minute.
      clock = s(130);
      store.applyPlatformStatus("wamid.b", "failed", s(-600), { reason: "recipient_invalid", code: "131026" });
      clock = s(131);
      store.deferHead(d, s(400), "HTTP 503");

      const part = conversationShardStats(sql, WINDOW, "whatsapp");
      expect(part.minutes).toEqual({
        [BASE]: { messages: 1, sent: 1 },
        [BASE + MINUTE_MS]: { messages: 1, sent: 1, failed: 1 },
        [BASE + 2 * MINUTE_MS]: { messages: 2, failed: 1 },
      });
      expect(part.byChannel).toEqual({ whatsapp: { messages: 4, sent: 2, failed: 2 } });
      expect(part.failuresByReason).toEqual({ window_closed: 1, recipient_invalid: 1 });
      expect(part.totals).toEqual({ queued: 2, retrying: 1, dead: 2 });
      expect(part.latencies).toEqual({});
      // A window before anything: nothing counted, and what waits is the same.
      const before = conversationShardStats(sql, { from: s(-300), to: s(-120) }, "whatsapp");
      expect(before).toEqual({ ...emptyStatsPart(), totals: part.totals });
    }));

  it("of an empty shard are empty", () =>
    onFreshObject("conversation", (sql) => {
      new ConversationStore(sql);
      expect(conversationShardStats(sql, WINDOW, "telegram")).toEqual(emptyStatsPart());
    }));
});

const event = (id: string, type: "message.received" | "message.status", channel: ChannelId = "whatsapp"): InboundEvent =>
  type === "message.status"
    ? {
        id,
        createdAt: new Date(0).toISOString(),
        type,
        conversation: { tenant: "acme", channel, account: "acc", peer: id },
        status: { messageId: `msg_${id}`, status: "delivered", timestamp: new Date(0).toISOString() },
      }
    : {
        id,
        createdAt: new Date(0).toISOString(),
        type,
        conversation: { tenant: "acme", channel, account: "acc", peer: id },
        message: { platformMessageId: id, timestamp: new Date(0).toISOString(), sender: { id }, content: { type: "text", text: id } },
      };

const answered = (status: number): DeliveryResponse => ({ kind: "answered", status });
const TIMEOUT_DETAIL = "UnreachableError: backend.example did not answer (TimeoutError)";
const TIMEOUT: DeliveryResponse = { kind: "unreachable", detail: TIMEOUT_DETAIL };

describe("endpoint shard statistics", () => {
  it("count received copies by minute and channel, deliveries and failures by kind, latencies, and what waits", () =>
    onFreshObject("endpoint", (sql) => {
      const store = new EndpointStore(sql);
      const log = new DeliveryLog(sql);
      const counted = new Set(["e0", "e1", "e2"]);
      store.append([event("e0", "message.received")], s(-5), counted);
      store.append([event("e1", "message.received")], s(5), counted);
      store.append([event("e2", "message.received", "telegram")], s(65), counted);
      store.append([event("e3", "message.status")], s(66), counted);
      // A copy another endpoint counts.
      store.append([event("e4", "message.received")], s(67), counted);
      const pending = (id: string) => store.due(Number.MAX_SAFE_INTEGER, 16).find((e) => e.id === id)!;
      log.add({ eventId: "e0", attempt: 1, latencyMs: 99_999, response: answered(200) }, s(-4));
      store.markDelivered(pending("e0"), s(-4));
      log.add({ eventId: "e1", attempt: 1, latencyMs: 100, response: answered(200) }, s(6));
      store.markDelivered(pending("e1"), s(6));
      log.add({ eventId: "e2", attempt: 1, latencyMs: 300, response: answered(503) }, s(66));
      store.markFailedAttempt(pending("e2"), s(67), "HTTP 503");
      log.add({ eventId: "e2", attempt: 2, latencyMs: 15_000, response: TIMEOUT }, s(70));
      store.markFailedAttempt(pending("e2"), s(900), "timeout");
      log.add({ eventId: "e3", attempt: 1, latencyMs: 200, response: answered(204) }, s(130));
      store.markDelivered(pending("e3"), s(130));

      const part = endpointShardStats(sql, WINDOW, false);
      expect(part.minutes).toEqual({
        [BASE]: { received: 1, delivered: 1 },
        [BASE + MINUTE_MS]: { received: 1 },
        [BASE + 2 * MINUTE_MS]: { delivered: 1 },
      });
      expect(part.byChannel).toEqual({ whatsapp: { received: 1 }, telegram: { received: 1 } });
      expect(part.failuresByReason).toEqual({ endpoint_http_5xx: 1, endpoint_timeout: 1 });
      expect(part.latencies).toEqual({ "100": 1, "300": 1, "15000": 1, "200": 1 });
      expect(part.totals).toEqual({ queued: 1, retrying: 1, dead: 0 });
      // While the endpoint is disabled, what it holds is dead.
      expect(endpointShardStats(sql, WINDOW, true).totals).toEqual({ queued: 0, retrying: 0, dead: 2 });
    }));

  it("of an empty shard are empty", () =>
    onFreshObject("endpoint", (sql) => {
      new EndpointStore(sql);
      expect(endpointShardStats(sql, WINDOW, false)).toEqual(emptyStatsPart());
    }));
});

describe("the delivery log", () => {
  it.each([
    [answered(200), "delivered"],
    [answered(299), "delivered"],
    [answered(410), "endpoint_gone"],
    [answered(429), "endpoint_rate_limited"],
    [answered(404), "endpoint_http_4xx"],
    [answered(500), "endpoint_http_5xx"],
    [answered(302), "endpoint_http_other"],
    [TIMEOUT, "endpoint_timeout"],
    [{ kind: "unreachable", detail: "UnreachableError: backend.example did not answer (TypeError)" }, "endpoint_unreachable"],
    [{ kind: "unreachable", detail: "RefusedUrlError: backend.example redirected more than 0 times" }, "endpoint_refused"],
  ] as [DeliveryResponse, string][])("counts %j as %s", (response, outcome) => {
    expect(deliveryOutcome(response)).toBe(outcome);
  });

  it("keeps the newest attempts, times that never go back, and pages newest first", () =>
    onFreshObject("endpoint", (sql) => {
      new EndpointStore(sql);
      const log = new DeliveryLog(sql);
      log.add({ eventId: "a", attempt: 1, latencyMs: 12.4, response: answered(200) }, 5_000);
      // A clock that stepped back: the attempt is logged at the last one's time.
      log.add({ eventId: "b", attempt: 1, latencyMs: 30, response: answered(500) }, 4_000);
      log.add({ eventId: "b", attempt: 2, latencyMs: 3_000, response: TIMEOUT }, 6_000);
      expect(log.page(undefined, 10)).toEqual([
        { seq: 3, at: 6_000, eventId: "b", attempt: 2, latencyMs: 3_000, error: TIMEOUT_DETAIL, delivered: false },
        { seq: 2, at: 5_000, eventId: "b", attempt: 1, status: 500, latencyMs: 30, error: "HTTP 500", delivered: false },
        { seq: 1, at: 5_000, eventId: "a", attempt: 1, status: 200, latencyMs: 12, delivered: true },
      ]);
      expect(log.page({ at: 5_000, seq: 2 }, 10).map((d) => d.seq)).toEqual([1]);
      expect(log.page({ at: 5_000, seq: Number.MAX_SAFE_INTEGER }, 1).map((d) => d.seq)).toEqual([2]);
      for (let i = 0; i < DELIVERY_LOG_ROWS + 5; i++) log.add({ eventId: `x${i}`, attempt: 1, latencyMs: 1, response: answered(200) }, 7_000);
      log.prune(7_000);
      const kept = sql.exec<{ n: number; lo: number }>("SELECT COUNT(*) AS n, MIN(seq) AS lo FROM deliveries").one();
      expect(kept).toEqual({ n: DELIVERY_LOG_ROWS, lo: 3 + 5 + 1 });
      // The per-minute counts outlive the log's rows.
      expect(sql.exec<{ n: number }>("SELECT SUM(n) AS n FROM delivery_minutes WHERE outcome = 'delivered'").one().n).toBe(DELIVERY_LOG_ROWS + 6);
    }));
});

describe("received copies", () => {
  it("count each customer event in the first endpoint it goes to, and no status, error or health event", () => {
    const msg = event("m", "message.received");
    const status = event("st", "message.status");
    const routes = new Map([
      ["a-statuses", [status]],
      ["b-all", [msg, status]],
      ["c-all", [msg, status]],
    ]);
    expect([...receivedCopies(routes)]).toEqual([["m", "b-all"]]);
  });
});
