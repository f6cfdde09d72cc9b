/**
 * Every tenant's last hour, for the operator (`GET /admin/v1/stats?minutes=60`): queued, retrying and
 * dead per tenant, deliveries per minute as a sparkline, the figures by channel, and the relay's whole
 * activity as one chart.
 */
import { ApiError, get } from "../api";
import { lineChart, sparkline } from "../charts";
import { button, h, replace, viewHeading } from "../dom";
import { count } from "../format";
import { notice } from "../notice";
import { arraySource, PagedTable } from "../paged-table";
import type { AdminStats, Stats } from "../types";
import type { ViewContext } from "../view";
import { activitySeries, byChannel, STATS_MINUTES } from "./overview";

type TenantStats = AdminStats["tenants"][number];

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** All tenants' minutes added up, minute by minute. */
function combined(tenants: TenantStats[]): Stats | undefined {
  const first = tenants[0];
  if (!first) return undefined;
  const minutes = first.minutes.map((m, i) => ({
    minute: m.minute,
    messages: sum(tenants.map((t) => t.minutes[i]?.messages ?? 0)),
    sent: sum(tenants.map((t) => t.minutes[i]?.sent ?? 0)),
    failed: sum(tenants.map((t) => t.minutes[i]?.failed ?? 0)),
    received: sum(tenants.map((t) => t.minutes[i]?.received ?? 0)),
    delivered: sum(tenants.map((t) => t.minutes[i]?.delivered ?? 0)),
  }));
  return { from: first.from, to: first.to, minutes, failuresByReason: {}, deliveryLatencyMs: {}, totals: {} };
}

export function totalsView(ctx: ViewContext): HTMLElement {
  const status = notice();
  const chart = h("div");
  let tenants: TenantStats[] = [];
  const table = new PagedTable<TenantStats>({
    caption: "Per tenant, the last hour",
    empty: "No tenants.",
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
    source: (cursor, limit, signal) => arraySource(tenants)(cursor, limit, signal),
    details: (t) => byChannel(t.byChannel, `${t.tenant} by channel`) ?? h("p", {}, "No figures by channel."),
  });
  ctx.onLeave(() => table.dispose());
  async function load(): Promise<void> {
    try {
      tenants = (await get<AdminStats>("/admin/v1/stats", { minutes: STATS_MINUTES })).tenants;
      status.clear();
      table.element.hidden = false;
      const all = combined(tenants);
      replace(chart, all ? lineChart("All tenants: messages and events per minute", all.minutes.map((m) => m.minute), activitySeries(all)) : null);
    } catch (e) {
      tenants = [];
      // Without the figures, an empty table would only mislead.
      table.element.hidden = e instanceof ApiError && e.unavailable;
      if (e instanceof ApiError && e.unavailable) status.info("Totals are not available on this relay (GET /admin/v1/stats is not offered). Tenants can still be opened one by one.");
      else status.error(e, "Could not read the totals");
    }
    await table.reload();
  }
  void load();
  return h("div", {}, viewHeading("Totals per tenant"), h("div", { class: "actions" }, button("Refresh", () => void load())), status.element, chart, table.element);
}
