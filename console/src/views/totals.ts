/**
 * Every tenant's last hour, for the operator (`GET /admin/v1/stats?minutes=60`, a page of tenants at a
 * time): queued, retrying and dead per tenant, deliveries per minute as a sparkline, the figures by
 * channel, and the page's tenants together as one chart.
 */
import { get } from "../api";
import { lineChart, sparkline } from "../charts";
import { button, h, replace, viewHeading } from "../dom";
import { count } from "../format";
import { PagedTable } from "../paged-table";
import type { AdminStats, StatsMinute } from "../types";
import type { ViewContext } from "../view";
import { activitySeries, byChannel, STATS_MINUTES } from "./overview";

type TenantStats = AdminStats["tenants"][number];

/** Tenants per page: each one's figures are read from every store it has. */
const TENANTS_PAGE = 20;

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Tenants' minutes added up, minute by minute. */
function combined(tenants: TenantStats[]): StatsMinute[] {
  const first = tenants[0];
  if (!first) return [];
  const at = (i: number, k: keyof Omit<StatsMinute, "minute">) => sum(tenants.map((t) => t.minutes[i]?.[k] ?? 0));
  return first.minutes.map((m, i) => ({
    minute: m.minute,
    messages: at(i, "messages"),
    sent: at(i, "sent"),
    failed: at(i, "failed"),
    received: at(i, "received"),
    delivered: at(i, "delivered"),
  }));
}

export function totalsView(ctx: ViewContext): HTMLElement {
  const chart = h("div");
  const table: PagedTable<TenantStats> = new PagedTable<TenantStats>({
    caption: "Per tenant, the last hour",
    pageSize: TENANTS_PAGE,
    empty: "No tenants.",
    unavailable: "Totals are not available on this relay (GET /admin/v1/stats is not offered). Tenants can still be opened one by one.",
    columns: [
      { header: "Tenant", cell: (t) => h("code", {}, t.tenant) },
      { header: "Queued", cell: (t) => count(t.totals.queued), className: "num" },
      { header: "Retrying", cell: (t) => count(t.totals.retrying), className: "num" },
      { header: "Dead", cell: (t) => count(t.totals.dead), className: "num" },
      { header: "Delivered in the hour", cell: (t) => count(sum(t.minutes.map((m) => m.delivered))), className: "num" },
      {
        header: "Delivered per minute",
        cell: (t) => {
          const values = t.minutes.map((m) => m.delivered);
          return sparkline(values, `${t.tenant}: ${count(sum(values))} delivered in the hour, at most ${count(Math.max(0, ...values))} a minute`);
        },
      },
    ],
    // The API pages by tenant id: `after` is the `next` of the page before.
    source: async (cursor, limit, signal) => {
      const page = await get<AdminStats>("/admin/v1/stats", { minutes: STATS_MINUTES, limit, after: cursor }, signal);
      return { items: page.tenants, ...(page.next && { next: page.next }) };
    },
    key: (t) => t.tenant,
    details: (t) => byChannel(t.byChannel, `${t.tenant} by channel`) ?? h("p", {}, "No figures by channel."),
    onPage: (tenants) => {
      const minutes = combined(tenants);
      replace(chart, minutes.length > 0 ? lineChart("The tenants of this page together: messages and events per minute", minutes.map((m) => m.minute), activitySeries(minutes)) : null);
    },
  });
  ctx.onLeave(() => table.dispose());
  const load = async () => {
    replace(chart);
    await table.refresh();
  };
  void table.reload();
  return h("div", {}, viewHeading("Totals per tenant"), h("div", { class: "actions" }, button("Refresh", () => void load())), chart, table.element);
}
