/**
 * Messages sent: filtered by recipient, reference, status and time (`GET /v1/messages`, newest first,
 * a page at a time), each with its status history and attempts; and any one message by its id.
 */
import { get, seg } from "../api";
import { field, filterForm, h, replace, select, viewHeading } from "../dom";
import { localToIso, timeEl } from "../format";
import { notice } from "../notice";
import { PagedTable } from "../paged-table";
import type { MessageRecord } from "../types";
import type { ViewContext } from "../view";
import { contentSummary, messageDetails, statusBadge } from "./message-details";

const STATUSES = ["queued", "sent", "delivered", "read", "failed"];
/** How much of a message's text a row shows. */
const SUMMARY_CHARS = 60;

const clip = (s: string) => (s.length > SUMMARY_CHARS ? `${s.slice(0, SUMMARY_CHARS - 1)}…` : s);

/** Open one message by its id (works on every relay: `GET /v1/messages/{id}`). */
function lookup(): HTMLElement {
  const id = h("input", { name: "id", required: true, autocomplete: "off", placeholder: "msg_…" });
  const status = notice();
  const result = h("div");
  const form = h("form", { class: "inline", "aria-label": "Open a message by its id" }, field("Message id", id), h("button", { type: "submit" }, "Open"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    replace(result);
    status.info("Loading…");
    try {
      const m = await get<MessageRecord>(`/v1/messages/${seg(id.value.trim())}`);
      status.clear();
      replace(result, messageDetails(m));
    } catch (err) {
      status.error(err);
    }
  });
  return h("section", { class: "panel" }, h("h2", {}, "Open a message"), form, status.element, result);
}

export function messagesView(ctx: ViewContext): HTMLElement {
  let filters: Record<string, string> = {};
  const table = new PagedTable<MessageRecord>({
    caption: "Messages, newest first",
    empty: "No messages match.",
    unavailable: "This relay does not list messages (GET /v1/messages is not available). Open one by its id above.",
    columns: [
      { header: "Created", cell: (m) => timeEl(m.createdAt) },
      { header: "To", cell: (m) => m.conversation.peer },
      { header: "Account", cell: (m) => `${m.conversation.account} (${m.conversation.channel})` },
      { header: "Status", cell: (m) => statusBadge(m.status) },
      { header: "Reference", cell: (m) => m.reference ?? "" },
      { header: "Attempts", cell: (m) => m.attempts, className: "num" },
      { header: "Content", cell: (m) => clip(contentSummary(m.content)) },
    ],
    source: (cursor, limit, signal) => get<{ items: MessageRecord[]; next?: string }>("/v1/messages", { ...filters, limit, cursor }, signal),
    details: async (m) => messageDetails(await get<MessageRecord>(`/v1/messages/${seg(m.id)}`)),
  });
  ctx.onLeave(() => table.dispose());

  const since = h("input", { type: "datetime-local", name: "since", step: 1 });
  const until = h("input", { type: "datetime-local", name: "until", step: 1 });
  const form = filterForm(
    "Filter messages",
    [
      field("Recipient", h("input", { name: "to", autocomplete: "off" })),
      field("Reference", h("input", { name: "reference", autocomplete: "off" })),
      field("Status", select("status", [["", "Any"], ...STATUSES.map((s): [string, string] => [s, s])])),
      field("Account", h("input", { name: "account", autocomplete: "off" })),
      field("Since", since),
      field("Until", until),
    ],
    (v) => {
      filters = { ...v, ...(v.since && { since: localToIso(v.since) ?? v.since }), ...(v.until && { until: localToIso(v.until) ?? v.until }) };
      void table.reload();
    },
  );
  void table.reload();
  return h("div", {}, viewHeading("Messages"), lookup(), h("section", { class: "panel" }, h("h2", {}, "Find messages"), form), table.element);
}
