/** A message as the console shows it: its content, status, attempts and the history of its status. */
import { h } from "../dom";
import { timeEl } from "../format";
import type { MessageRecord } from "../types";

/** A one-line summary of what was sent. */
export function contentSummary(content: MessageRecord["content"]): string {
  switch (content.type) {
    case "text":
      return content.text;
    case "template":
      return `template ${content.name}`;
    case "image":
    case "video":
    case "document":
      return `${content.type}${content.caption ? `: ${content.caption}` : ""}`;
    case "reaction":
      return content.emoji ? `reaction ${content.emoji}` : "reaction removed";
    default:
      return content.type;
  }
}

/** A status as a badge: its word, styled by class (never by colour alone). */
export const statusBadge = (status: string) => h("span", { class: `badge status-${status}` }, status);

/** Everything about one message, with the history of its status in order. */
export function messageDetails(m: MessageRecord): HTMLElement {
  const history = h(
    "table",
    { class: "history" },
    h("caption", {}, `Status history of ${m.id}`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "At"), h("th", { scope: "col" }, "Error"))),
    h(
      "tbody",
      {},
      ...m.history.map((t) =>
        h("tr", {}, h("td", {}, statusBadge(t.status)), h("td", {}, timeEl(t.at)), h("td", {}, t.error ? `${t.error.reason}${t.error.detail ? `: ${t.error.detail}` : ""}` : "")),
      ),
    ),
  );
  const facts: [string, Node | string][] = [
    ["Id", h("code", {}, m.id)],
    ["To", `${m.conversation.peer} (${m.conversation.channel}, account ${m.conversation.account})`],
    ["Content", contentSummary(m.content)],
    ["Status", statusBadge(m.status)],
    ["Attempts", String(m.attempts)],
    ["Created", timeEl(m.createdAt)],
  ];
  if (m.reference) facts.push(["Reference", m.reference]);
  if (m.platformMessageId) facts.push(["Platform id", h("code", {}, m.platformMessageId)]);
  if (m.error) facts.push(["Error", `${m.error.reason}${m.error.code ? ` (${m.error.code})` : ""}${m.error.detail ? `: ${m.error.detail}` : ""}`]);
  return h("div", { class: "message-details" }, h("dl", { class: "facts" }, ...facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])), h("div", { class: "table-wrap" }, history));
}
