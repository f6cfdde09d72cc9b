/**
 * Traffic statistics for the console's charts, from what the outboxes store: each shard counts its own
 * rows in a window (conversation-stats.ts, endpoint-stats.ts) into a `StatsPart`, and the parts of a
 * tenant's shards add up here. Pure: the window and the parts are arguments.
 */

export const MINUTE_MS = 60_000;
/** The longest window: a day of minutes. */
export const MAX_STATS_MINUTES = 1440;

/** What happened in one minute. */
export interface MinuteCounts {
  /** Messages accepted by the API. */
  messages: number;
  /** Messages the platform accepted (all their parts). */
  sent: number;
  /** Messages that failed for good. */
  failed: number;
  /** Customer events stored (each once, however many endpoints it went to). */
  received: number;
  /** Deliveries of events that endpoints acknowledged. */
  delivered: number;
}

export type ChannelCounts = Omit<MinuteCounts, "delivered">;

/** What waits or failed, now. */
export interface StatsTotals {
  /** Messages and events waiting for their first attempt. */
  queued: number;
  /** Messages and events waiting after a failed attempt. */
  retrying: number;
  /** Failed messages, and events a disabled endpoint holds. */
  dead: number;
}

/** Whole minutes, `from` inclusive and `to` exclusive, in epoch ms. */
export interface StatsWindow {
  from: number;
  to: number;
}

/** The last `minutes` whole minutes, the current one (still running) last. */
export function statsWindow(now: number, minutes: number): StatsWindow {
  const to = (Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS;
  return { from: to - minutes * MINUTE_MS, to };
}

/** The start of the minute that holds `at`. */
export const minuteOf = (at: number) => Math.floor(at / MINUTE_MS) * MINUTE_MS;

/** What one shard counted in a window; parts add up. Plain data, so that it crosses a Durable Object call. */
export interface StatsPart {
  /** By the start of the minute (epoch ms, as a string key). */
  minutes: Record<string, Partial<MinuteCounts>>;
  byChannel: Record<string, Partial<ChannelCounts>>;
  failuresByReason: Record<string, number>;
  /** Delivery attempts by how many milliseconds each took. */
  latencies: Record<string, number>;
  totals: StatsTotals;
}

export const emptyStatsPart = (): StatsPart => ({ minutes: {}, byChannel: {}, failuresByReason: {}, latencies: {}, totals: { queued: 0, retrying: 0, dead: 0 } });

/** Adds `n` to a minute's count. */
export function countMinute(part: StatsPart, minute: number, what: keyof MinuteCounts, n: number): void {
  const counts = (part.minutes[minute] ??= {});
  counts[what] = (counts[what] ?? 0) + n;
}

/** Adds `n` to a channel's count. */
export function countChannel(part: StatsPart, channel: string, what: keyof ChannelCounts, n: number): void {
  const counts = (part.byChannel[channel] ??= {});
  counts[what] = (counts[what] ?? 0) + n;
}

/** Adds `n` to a key of a record of counts. */
export function countKey(record: Record<string, number>, key: string, n: number): void {
  record[key] = (record[key] ?? 0) + n;
}

/** Latency percentiles in ms; null when nothing was delivered in the window. */
export interface LatencyPercentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** A tenant's statistics, as `GET /v1/stats` answers them. */
export interface Stats {
  from: string;
  to: string;
  /** Every minute of the window, oldest first (minutes with nothing in them too). */
  minutes: ({ minute: string } & MinuteCounts)[];
  failuresByReason: Record<string, number>;
  deliveryLatencyMs: LatencyPercentiles;
  totals: StatsTotals;
  byChannel: Record<string, ChannelCounts>;
}

const ZERO: MinuteCounts = { messages: 0, sent: 0, failed: 0, received: 0, delivered: 0 };

/**
 * Percentiles of a histogram (value → how many), by nearest rank: the smallest value at or below which
 * at least that share of the samples lies.
 * @see https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method
 */
export function percentiles(histogram: Record<string, number>): LatencyPercentiles {
  const values = Object.entries(histogram)
    .map(([v, n]) => [Number(v), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = values.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return { p50: null, p90: null, p99: null };
  const at = (q: number) => {
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (const [v, n] of values) {
      seen += n;
      if (seen >= rank) return v;
    }
    return values[values.length - 1]![0];
  };
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

/** Adds up the parts of a tenant's shards into its statistics over `window`. */
export function mergeStats(window: StatsWindow, parts: readonly StatsPart[]): Stats {
  const minutes = new Map<number, MinuteCounts>();
  for (let m = window.from; m < window.to; m += MINUTE_MS) minutes.set(m, { ...ZERO });
  const failuresByReason: Record<string, number> = {};
  const latencies: Record<string, number> = {};
  const byChannel: Record<string, ChannelCounts> = {};
  const totals: StatsTotals = { queued: 0, retrying: 0, dead: 0 };
  for (const part of parts) {
    for (const [minute, counts] of Object.entries(part.minutes)) {
      // A minute outside the window (a shard's clock a little off) is not one of the chart's.
      const into = minutes.get(Number(minute));
      if (!into) continue;
      for (const key of Object.keys(ZERO) as (keyof MinuteCounts)[]) into[key] += counts[key] ?? 0;
    }
    for (const [channel, counts] of Object.entries(part.byChannel)) {
      const into = (byChannel[channel] ??= { messages: 0, sent: 0, failed: 0, received: 0 });
      for (const key of Object.keys(into) as (keyof ChannelCounts)[]) into[key] += counts[key] ?? 0;
    }
    for (const [reason, n] of Object.entries(part.failuresByReason)) countKey(failuresByReason, reason, n);
    for (const [ms, n] of Object.entries(part.latencies)) countKey(latencies, ms, n);
    totals.queued += part.totals.queued;
    totals.retrying += part.totals.retrying;
    totals.dead += part.totals.dead;
  }
  return {
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    minutes: [...minutes].map(([m, counts]) => ({ minute: new Date(m).toISOString(), ...counts })),
    failuresByReason,
    deliveryLatencyMs: percentiles(latencies),
    totals,
    byChannel,
  };
}
