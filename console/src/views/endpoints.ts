/**
 * The tenant's webhook endpoints: state (enabled, or disabled and why), events by state, recent
 * deliveries (status code, latency, attempt), and the two ways back: enable, or enable and deliver again
 * every event stored since a time (after the backend lost data).
 */
import { get, post, seg } from "../api";
import { button, field, h, viewHeading } from "../dom";
import { count, localToIso, millis, timeEl } from "../format";
import { type Notice, notice } from "../notice";
import { arraySource, PagedTable } from "../paged-table";
import type { Delivery, Endpoint, EndpointWithState } from "../types";
import type { ViewContext } from "../view";

/** Recent deliveries per page. */
const DELIVERIES_PAGE = 20;

const stateBadge = (e: EndpointWithState) =>
  h("span", {}, h("span", { class: `badge state-${e.state}` }, e.state), e.reason ? ` (${e.reason}${e.disabledAt ? `, since ${new Date(e.disabledAt).toLocaleString()}` : ""})` : "");

const eventCounts = (e: EndpointWithState) =>
  Object.entries(e.events)
    .map(([state, n]) => `${state} ${count(n)}`)
    .join(" · ") || "none";

function deliveries(endpoint: string, ctx: ViewContext): HTMLElement {
  const table = new PagedTable<Delivery>({
    caption: `Recent deliveries to ${endpoint}, newest first`,
    pageSize: DELIVERIES_PAGE,
    empty: "No deliveries yet.",
    unavailable: "This relay does not list deliveries (GET /v1/endpoints/{id}/deliveries is not available).",
    columns: [
      { header: "At", cell: (d) => timeEl(d.at) },
      { header: "Event", cell: (d) => h("code", {}, d.eventId) },
      { header: "Attempt", cell: (d) => d.attempt, className: "num" },
      { header: "HTTP status", cell: (d) => (d.status === undefined ? "no answer" : d.status), className: "num" },
      { header: "Latency", cell: (d) => millis(d.latencyMs), className: "num" },
      { header: "Outcome", cell: (d) => h("span", { class: `badge ${d.delivered ? "delivered" : "failed"}` }, d.delivered ? "delivered" : "failed") },
      { header: "Error", cell: (d) => d.error ?? "" },
    ],
    source: (cursor, limit, signal) => get<{ items: Delivery[]; next?: string }>(`/v1/endpoints/${seg(endpoint)}/deliveries`, { limit, cursor }, signal),
  });
  ctx.onLeave(() => table.dispose());
  void table.reload();
  return table.element;
}

/** Enable, and recover since a time; what happens is said in the view's notice. */
function actions(e: EndpointWithState, status: Notice, onChange: () => void): HTMLElement {
  const enable = async (since?: string) => {
    try {
      const r = await post<{ state: string; due: number }>(`/v1/endpoints/${seg(e.id)}/enable`, since ? { since } : {});
      status.info(since ? `${e.id} enabled; ${count(r.due)} events stored since then are being delivered again.` : `${e.id} enabled; ${count(r.due)} events are due now.`);
      onChange();
    } catch (err) {
      status.error(err, `Could not enable ${e.id}`);
    }
  };
  const since = h("input", { type: "datetime-local", name: "since", required: true, step: 1 });
  const recover = h("form", { class: "inline", "aria-label": `Recover ${e.id}` }, field("Deliver again every event since", since), h("button", { type: "submit" }, "Recover"));
  recover.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const iso = localToIso(since.value);
    if (!iso) return status.error(new Error("Give the time to deliver again from."));
    void enable(iso);
  });
  return h(
    "div",
    { class: "endpoint-actions" },
    h("div", { class: "actions" }, button("Enable", () => void enable(), { "aria-label": `Enable ${e.id}` })),
    recover,
  );
}

export function endpointsView(ctx: ViewContext): HTMLElement {
  let endpoints: EndpointWithState[] = [];
  const status = notice();
  const table = new PagedTable<EndpointWithState>({
    caption: "Webhook endpoints",
    empty: "No endpoints: create one with POST /v1/endpoints, or events are not accepted.",
    columns: [
      { header: "Id", cell: (e) => h("code", {}, e.id) },
      { header: "URL", cell: (e) => h("code", { class: "url" }, e.url) },
      { header: "State", cell: stateBadge },
      { header: "Events", cell: eventCounts },
      { header: "Failing since", cell: (e) => timeEl(e.failingSince) },
    ],
    source: (cursor, limit, signal) => arraySource(endpoints)(cursor, limit, signal),
    key: (e) => e.id,
    details: (e) =>
      h(
        "div",
        { class: "endpoint-details" },
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "Events"),
          h("dd", {}, e.eventTypes?.join(", ") ?? "all types"),
          h("dt", {}, "Accounts"),
          h("dd", {}, e.accounts?.join(", ") ?? "all"),
          h("dt", {}, "Timeout"),
          h("dd", {}, millis(e.timeoutMs)),
          h("dt", {}, "Secret ends with"),
          h("dd", {}, e.secretHint),
        ),
        actions(e, status, () => void load()),
        deliveries(e.id, ctx),
      ),
  });
  ctx.onLeave(() => table.dispose());
  async function load(): Promise<void> {
    try {
      const list = (await get<{ items: Endpoint[] }>("/v1/endpoints")).items;
      // At most 20 per tenant: each one's state is one more read.
      endpoints = await Promise.all(list.map((e) => get<EndpointWithState>(`/v1/endpoints/${seg(e.id)}`)));
    } catch (e) {
      status.error(e, "Could not list the endpoints");
      endpoints = [];
    }
    await table.reload();
  }
  void load();
  return h(
    "div",
    {},
    viewHeading("Endpoints"),
    h("p", {}, "Where events are delivered. An endpoint is disabled after 410 Gone or days of failures; enable it, or recover: enable it and deliver again every event stored since a time."),
    h("div", { class: "actions" }, button("Refresh", () => void load())),
    status.element,
    table.element,
  );
}
