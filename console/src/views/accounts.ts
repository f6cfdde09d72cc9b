/**
 * The tenant's channel accounts: channel, the webhook URL to register on the platform, and health
 * (read for the accounts on the page shown: `GET /v1/accounts/{id}`).
 */
import { describeError, get, seg } from "../api";
import { button, h, replace, viewHeading } from "../dom";
import { timeEl, when } from "../format";
import { notice } from "../notice";
import { arraySource, PagedTable } from "../paged-table";
import type { Account } from "../types";
import type { ViewContext } from "../view";

/** The health column's cell of each account, filled once its health is read. */
const HEALTH_CLASS = "health";

function healthText(a: Account): Node {
  const health = a.health;
  if (!health || health.state === "ok") return h("span", { class: "badge health-ok" }, "ok");
  return h("span", {}, h("span", { class: "badge health-paused" }, "paused"), ` ${health.reason ?? ""}${health.detail ? `: ${health.detail}` : ""} (since ${when(health.since)})`);
}

function copyButton(text: string, what: string): HTMLElement {
  const said = h("span", { class: "visually-hidden", "aria-live": "polite" });
  return h(
    "span",
    {},
    button("Copy", async () => {
      try {
        await navigator.clipboard.writeText(text);
        said.textContent = `${what} copied.`;
      } catch {
        said.textContent = "Copying is not allowed here: select the text and copy it.";
      }
    }, { "aria-label": `Copy ${what}` }),
    said,
  );
}

export function accountsView(ctx: ViewContext): HTMLElement {
  let accounts: Account[] = [];
  const status = notice();
  const table = new PagedTable<Account>({
    caption: "Channel accounts",
    empty: "No accounts yet: connect one with POST /v1/accounts.",
    columns: [
      { header: "Id", cell: (a) => h("span", {}, h("code", {}, a.id), a.default ? " (default)" : "") },
      { header: "Channel", cell: (a) => a.channel },
      { header: "Webhook URL to register", cell: (a) => h("span", { class: "url" }, h("code", {}, a.webhookUrl), " ", copyButton(a.webhookUrl, `the webhook URL of ${a.id}`)) },
      { header: "Health", cell: () => h("span", { class: HEALTH_CLASS }, "…") },
      { header: "Source", cell: (a) => a.source },
      { header: "Updated", cell: (a) => timeEl(a.updatedAt) },
    ],
    source: (cursor, limit, signal) => arraySource(accounts)(cursor, limit, signal),
    // Health is read per account: only for the rows on the page.
    onPage: (items, rows) =>
      items.forEach((a, i) => {
        const cell = rows[i]?.querySelector(`.${HEALTH_CLASS}`);
        if (!cell) return;
        get<Account>(`/v1/accounts/${seg(a.id)}`)
          .then((full) => replace(cell, healthText(full)))
          .catch((e: unknown) => replace(cell, h("span", { class: "error-text" }, `unknown: ${describeError(e)}`)));
      }),
  });
  ctx.onLeave(() => table.dispose());
  async function load(): Promise<void> {
    try {
      accounts = (await get<{ items: Account[] }>("/v1/accounts")).items;
      status.clear();
    } catch (e) {
      status.error(e, "Could not list the accounts");
      accounts = [];
    }
    await table.reload();
  }
  void load();
  return h(
    "div",
    {},
    viewHeading("Accounts"),
    h("p", {}, "Each account's webhook URL is where its platform posts customer messages and statuses: register it on the platform. A paused account waits for new credentials (PATCH /v1/accounts/{id})."),
    h("div", { class: "actions" }, button("Refresh", () => void load())),
    status.element,
    table.element,
  );
}
