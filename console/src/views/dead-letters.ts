/**
 * Dead letters: failed messages and events an endpoint could not deliver, with their reason. Replay one,
 * or every one the filter shows (one request each, in order, each outcome reported).
 */
import { describeError, get, post, seg } from "../api";
import { button, field, h, replace, select, viewHeading } from "../dom";
import { count, timeEl } from "../format";
import { notice } from "../notice";
import { arraySource, PagedTable } from "../paged-table";
import type { DeadLetter } from "../types";
import type { ViewContext } from "../view";

/** As many as the API answers in one list. */
const MAX_LETTERS = 1000;

interface Filter {
  kind: string;
  reason: string;
  endpoint: string;
  text: string;
}

const matches = (d: DeadLetter, f: Filter) =>
  (!f.kind || d.kind === f.kind) &&
  (!f.reason || d.reason === f.reason) &&
  (!f.endpoint || d.endpoint === f.endpoint) &&
  (!f.text || d.id.includes(f.text) || d.conversation.peer.includes(f.text) || d.conversation.account.includes(f.text));

/** Fills a select with the values found, keeping the choice when it is still there. */
function fillOptions(el: HTMLSelectElement, values: string[], anyLabel: string): void {
  const current = el.value;
  replace(el, h("option", { value: "" }, anyLabel), ...values.map((v) => h("option", { value: v, selected: v === current }, v)));
}

export function deadLettersView(ctx: ViewContext): HTMLElement {
  let all: DeadLetter[] = [];
  let shown: DeadLetter[] = [];
  const status = notice();
  const kind = select("kind", [["", "Any"], ["message", "Failed messages"], ["event", "Undelivered events"]]);
  const reason = select("reason", [["", "Any"]]);
  const endpoint = select("endpoint", [["", "Any"]]);
  const text = h("input", { name: "text", type: "search", autocomplete: "off" });
  const summary = h("p", { class: "muted", "aria-live": "polite" });
  const replayAll = button("Replay all shown", () => confirmAll());
  const confirmBox = h("div", { class: "confirm", hidden: true });

  async function replay(d: DeadLetter, quiet = false): Promise<boolean> {
    try {
      await post(`/v1/dead-letters/${seg(d.id)}/replay`);
      if (!quiet) status.info(`Replayed ${d.id}: ${d.kind === "message" ? "the message is queued again" : "the event is being delivered again"}.`);
      return true;
    } catch (e) {
      if (!quiet) status.error(e, `Could not replay ${d.id}`);
      else throw e;
      return false;
    }
  }

  const table = new PagedTable<DeadLetter>({
    caption: "Dead letters, oldest first",
    empty: "No dead letters: nothing has failed for good.",
    columns: [
      { header: "At", cell: (d) => timeEl(d.at) },
      { header: "Kind", cell: (d) => (d.kind === "message" ? "message" : "event") },
      { header: "Id", cell: (d) => h("code", {}, d.id) },
      { header: "Conversation", cell: (d) => `${d.conversation.peer} · ${d.conversation.account} (${d.conversation.channel})` },
      { header: "Reason", cell: (d) => h("span", {}, h("strong", {}, d.reason), d.detail ? `: ${d.detail}` : "") },
      { header: "Attempts", cell: (d) => d.attempts, className: "num" },
      { header: "Endpoint", cell: (d) => d.endpoint ?? "" },
      {
        header: "Action",
        cell: (d) =>
          button("Replay", async (e) => {
            const b = e.currentTarget as HTMLButtonElement;
            b.disabled = true;
            if (await replay(d)) await load();
            else b.disabled = false;
          }, { "aria-label": `Replay ${d.id}` }),
      },
    ],
    source: (cursor, limit, signal) => arraySource(shown)(cursor, limit, signal),
  });
  ctx.onLeave(() => table.dispose());

  function filter(): Filter {
    return { kind: kind.value, reason: reason.value, endpoint: endpoint.value, text: text.value.trim() };
  }

  function apply(): void {
    const f = filter();
    shown = all.filter((d) => matches(d, f));
    summary.textContent = `${count(shown.length)} of ${count(all.length)} dead letters shown.`;
    replayAll.textContent = `Replay all ${count(shown.length)} shown`;
    replayAll.disabled = shown.length === 0;
    confirmBox.hidden = true;
    void table.reload();
  }

  async function load(): Promise<void> {
    try {
      all = (await get<{ items: DeadLetter[] }>("/v1/dead-letters", { limit: MAX_LETTERS })).items;
    } catch (e) {
      status.error(e, "Could not list the dead letters");
      all = [];
    }
    fillOptions(reason, [...new Set(all.map((d) => d.reason))].sort(), "Any");
    fillOptions(endpoint, [...new Set(all.flatMap((d) => (d.endpoint ? [d.endpoint] : [])))].sort(), "Any");
    apply();
  }

  function confirmAll(): void {
    const targets = [...shown];
    replace(
      confirmBox,
      h("p", {}, `Replay ${count(targets.length)} dead letters? Each failed message is queued again, each event delivered again.`),
      button("Yes, replay them", async () => {
        confirmBox.hidden = true;
        replayAll.disabled = true;
        const failures: string[] = [];
        for (const [i, d] of targets.entries()) {
          status.info(`Replaying ${i + 1} of ${targets.length}…`);
          try {
            await replay(d, true);
          } catch (e) {
            failures.push(`${d.id}: ${describeError(e)}`);
          }
        }
        const done = targets.length - failures.length;
        if (failures.length > 0) status.error(new Error(`${done} of ${targets.length} replayed; these failed: ${failures.join("; ")}`));
        else status.info(`Replayed all ${targets.length}.`);
        await load();
      }),
      button("Cancel", () => {
        confirmBox.hidden = true;
        replayAll.focus();
      }),
    );
    confirmBox.hidden = false;
    (confirmBox.querySelector("button") as HTMLButtonElement).focus();
  }

  for (const el of [kind, reason, endpoint]) el.addEventListener("change", apply);
  text.addEventListener("input", apply);
  void load();
  return h(
    "div",
    {},
    viewHeading("Dead letters"),
    h("p", {}, "Messages that failed for good, and events an endpoint could not take. Replaying a message queues it again; replaying an event delivers it again."),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "Filter"),
      h("div", { class: "filters" }, field("Kind", kind), field("Reason", reason), field("Endpoint", endpoint), field("Id, customer or account contains", text)),
      summary,
      h("div", { class: "actions" }, replayAll, button("Refresh", () => void load())),
      confirmBox,
    ),
    status.element,
    table.element,
  );
}
