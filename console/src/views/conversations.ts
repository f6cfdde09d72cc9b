/**
 * Conversations: each customer on each account, with the messaging window (open or closed, when it
 * closes, what may still be sent), a page at a time (`GET /v1/conversations`).
 */
import { get } from "../api";
import { field, filterForm, h, viewHeading } from "../dom";
import { localToIso, timeEl } from "../format";
import { PagedTable } from "../paged-table";
import type { Conversation, ConversationList } from "../types";
import type { ViewContext } from "../view";

/** The customer as a line: their name (when the platform gave one) and their id on the channel. */
const customer = (c: Conversation) => (c.customer?.name ? `${c.customer.name} (${c.peer})` : c.peer);

function windowCell(c: Conversation): Node {
  const w = c.window;
  return h(
    "span",
    {},
    h("span", { class: `badge window-${w.open ? "open" : "closed"}` }, w.open ? "open" : "closed"),
    w.open && w.expiresAt ? h("span", { class: "muted" }, " until ", timeEl(w.expiresAt)) : null,
    !w.open && w.closedAt ? h("span", { class: "muted" }, " since ", timeEl(w.closedAt)) : null,
  );
}

/** What may be sent now: anything while open; otherwise templates, tags, or nothing. */
const allowed = (c: Conversation) => (c.window.allowed.length === 0 ? "nothing" : c.window.allowed.join(", "));

export function conversationsView(ctx: ViewContext): HTMLElement {
  let filters: Record<string, string> = {};
  const table = new PagedTable<Conversation>({
    caption: "Conversations, in order of update",
    empty: "No conversations match.",
    columns: [
      { header: "Customer", cell: customer },
      { header: "Account", cell: (c) => `${c.account} (${c.channel})` },
      { header: "Window", cell: windowCell },
      { header: "May send", cell: allowed },
      { header: "Last inbound", cell: (c) => timeEl(c.lastInboundAt) },
      { header: "Last outbound", cell: (c) => timeEl(c.lastOutboundAt) },
      { header: "Updated", cell: (c) => timeEl(c.updatedAt) },
    ],
    source: async (cursor, limit, signal) => {
      // The API pages up to 200 conversations.
      const page = await get<ConversationList>("/v1/conversations", { ...filters, limit: Math.min(limit, 200), cursor }, signal);
      return { items: page.conversations, ...(page.next && { next: page.next }) };
    },
    details: (c) =>
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Conversation id"),
        h("dd", {}, h("code", {}, c.id)),
        h("dt", {}, "Identities"),
        h("dd", {}, c.customer?.identities?.map((i) => `${i.kind}: ${i.value}`).join(", ") || "none given"),
        h("dt", {}, "Subscribed"),
        h("dd", {}, c.subscribed === false ? "no (unsubscribed, blocked or closed)" : "yes"),
        h("dt", {}, "Started"),
        h("dd", {}, timeEl(c.createdAt)),
      ),
  });
  ctx.onLeave(() => table.dispose());
  const form = filterForm(
    "Filter conversations",
    [
      field("Account", h("input", { name: "account", autocomplete: "off" })),
      field("Customer id", h("input", { name: "peer", autocomplete: "off" })),
      field("Updated since", h("input", { type: "datetime-local", name: "updatedSince", step: 1 })),
    ],
    (v) => {
      filters = { ...v, ...(v.updatedSince && { updatedSince: localToIso(v.updatedSince) ?? v.updatedSince }) };
      void table.reload();
    },
  );
  void table.reload();
  return h("div", {}, viewHeading("Conversations"), h("section", { class: "panel" }, h("h2", {}, "Find conversations"), form), table.element);
}
