/**
 * The last hour at a glance (`GET /v1/stats?minutes=60`): messages and events per minute, failures by
 * reason, delivery latency percentiles, and what waits (queued, retrying, dead).
 */
import { ApiError, get } from "../api";
import { barChart, lineChart } from "../charts";
import { button, h, replace, viewHeading } from "../dom";
import { count, millis, when } from "../format";
import { notice } from "../notice";
import type { Stats, StatsMinute } from "../types";
import type { ViewContext } from "../view";

/** The window the overview shows, in minutes. */
export const STATS_MINUTES = 60;
/** How often the overview reads the figures again while open. */
const REFRESH_MS = 30_000;

/** The series of a stats answer's minutes, in the order the chart draws them. */
export function activitySeries(m: StatsMinute[]) {
  return [
    { name: "Messages accepted", values: m.map((x) => x.messages) },
    { name: "Sent", values: m.map((x) => x.sent) },
    { name: "Failed", values: m.map((x) => x.failed) },
    { name: "Events received", values: m.map((x) => x.received) },
    { name: "Events delivered", values: m.map((x) => x.delivered) },
  ];
}

/** Tiles of the totals that wait: a definition list, readable as it is. */
export function totals(t: Stats["totals"]): HTMLElement {
  const tiles: [string, number | undefined][] = [
    ["Queued", t.queued],
    ["Retrying", t.retrying],
    ["Dead", t.dead],
  ];
  return h("dl", { class: "tiles" }, ...tiles.flatMap(([k, v]) => [h("div", { class: "tile" }, h("dt", {}, k), h("dd", {}, v === undefined ? "–" : count(v)))]));
}

/** Any figures by channel, shown as they come: a row per channel, a column per figure. */
export function byChannel(rows: Record<string, Record<string, unknown>> | undefined, caption: string): HTMLElement | null {
  const channels = Object.entries(rows ?? {});
  if (channels.length === 0) return null;
  const numeric = (v: unknown) => typeof v === "number";
  const keys = [...new Set(channels.flatMap(([, r]) => Object.keys(r).filter((k) => numeric(r[k]))))];
  return h(
    "div",
    { class: "table-wrap", role: "region", "aria-label": caption, tabindex: 0 },
    h(
      "table",
      {},
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Channel"), ...keys.map((k) => h("th", { scope: "col", class: "num" }, k)))),
      h("tbody", {}, ...channels.map(([ch, r]) => h("tr", {}, h("th", { scope: "row" }, ch), ...keys.map((k) => h("td", { class: "num" }, numeric(r[k]) ? count(r[k] as number) : ""))))),
    ),
  );
}

/** The charts of one set of stats. */
export function statsCharts(stats: Stats): HTMLElement {
  const reasons = Object.entries(stats.failuresByReason)
    .sort((a, b) => b[1] - a[1])
    .map(([label, value]) => ({ label, value }));
  const latency = (["p50", "p90", "p99"] as const).flatMap((p) => {
    const v = stats.deliveryLatencyMs[p];
    return v === undefined || v === null ? [] : [{ label: p, value: v }];
  });
  return h(
    "div",
    { class: "charts" },
    totals(stats.totals),
    lineChart("Messages and events per minute", stats.minutes.map((m) => m.minute), activitySeries(stats.minutes)),
    h(
      "div",
      { class: "chart-row" },
      barChart("Failures by reason", reasons, count, "No failures in this hour."),
      barChart("Delivery latency (percentiles)", latency, millis, "No deliveries in this hour."),
    ),
    byChannel(stats.byChannel, "By channel"),
  );
}

export function overviewView(ctx: ViewContext): HTMLElement {
  const status = notice();
  const body = h("div", { "aria-busy": "true" });
  const period = h("p", { class: "muted" });
  let timer: number | undefined;
  let stopped = false;
  ctx.onLeave(() => {
    stopped = true;
    clearTimeout(timer);
  });
  async function load(): Promise<void> {
    clearTimeout(timer);
    try {
      const stats = await get<Stats>("/v1/stats", { minutes: STATS_MINUTES });
      if (stopped) return;
      status.clear();
      period.textContent = `From ${when(stats.from)} to ${when(stats.to)}; read again every ${REFRESH_MS / 1000} seconds.`;
      replace(body, statsCharts(stats));
      body.removeAttribute("aria-busy");
      timer = window.setTimeout(load, REFRESH_MS);
    } catch (e) {
      if (stopped) return;
      body.removeAttribute("aria-busy");
      if (e instanceof ApiError && e.unavailable) status.info("Statistics are not available on this relay (GET /v1/stats is not offered). The other pages work without them.");
      else status.error(e, "Could not read the statistics");
    }
  }
  status.info("Loading…");
  void load();
  return h("div", {}, viewHeading("Overview: the last hour"), period, h("div", { class: "actions" }, button("Refresh", () => void load())), status.element, body);
}
