/**
 * A quick test message: to, account, text. Once queued, the message's status is followed here until it
 * is read or failed (or the page is left).
 */
import { ApiError, get, post, seg } from "../api";
import { field, formValues, h, replace, viewHeading } from "../dom";
import { notice } from "../notice";
import type { Account, MessageRecord, SendAccepted } from "../types";
import type { ViewContext } from "../view";
import { messageDetails } from "./message-details";

/** How often a message's status is asked for while it is followed. */
const POLL_MS = 1000;
/** When to stop following a message that stays pending. */
const FOLLOW_FOR_MS = 5 * 60_000;
/** A test message's text at most (WhatsApp's and Telegram's limit for one text); longer texts are for the API. */
const TEST_TEXT_MAX = 4096;
/** Statuses after which nothing changes any more. */
const FINAL = new Set(["read", "failed"]);

/**
 * Shows a message in `into` and asks for it again every second until its status is final, the time is
 * up, or the view closes.
 */
export function followMessage(id: string, into: HTMLElement, ctx: ViewContext): void {
  const started = Date.now();
  const status = notice();
  const body = h("div");
  replace(into, status.element, body);
  let timer: number | undefined;
  let stopped = false;
  ctx.onLeave(() => {
    stopped = true;
    clearTimeout(timer);
  });
  const poll = async () => {
    try {
      const m = await get<MessageRecord>(`/v1/messages/${seg(id)}`);
      if (stopped) return;
      replace(body, messageDetails(m));
      if (FINAL.has(m.status)) return status.info(`Message ${id} is ${m.status}.`);
      status.info(`Message ${id} is ${m.status}; following its status…`);
    } catch (e) {
      if (stopped) return;
      status.error(e, `Could not read message ${id}`);
      // A message not found is final; anything else may pass.
      if (e instanceof ApiError && e.status === 404) return;
    }
    if (Date.now() - started < FOLLOW_FOR_MS) timer = window.setTimeout(poll, POLL_MS);
    else status.info(`Stopped following message ${id}; open it under Messages to see its status.`);
  };
  void poll();
}

export function sendView(ctx: ViewContext): HTMLElement {
  const accounts = h("datalist", { id: "send-accounts" });
  const accountHint = h("small", { id: "send-account-hint" }, "Leave empty to send from your default account.");
  // Not a phone keyboard: Apple's and Messenger's customer ids are not numbers.
  const to = h("input", { name: "to", required: true, autocomplete: "off" });
  const account = h("input", { id: "send-account", name: "account", list: "send-accounts", autocomplete: "off", "aria-describedby": "send-account-hint" });
  const text = h("textarea", { name: "text", required: true, rows: 3, maxlength: TEST_TEXT_MAX });
  const status = notice();
  const tracker = h("section", { class: "tracker", "aria-label": "The message sent" });
  const submit = h("button", { type: "submit" }, "Send");
  const form = h(
    "form",
    { class: "stack" },
    field("To (the customer's id on the channel: a phone number on WhatsApp)", to),
    h("div", { class: "field" }, h("label", { for: "send-account" }, "Account"), account, accountHint),
    field("Text", text),
    submit,
    status.element,
  );
  const page = h("div", {}, viewHeading("Send a test message"), h("p", {}, "A text message to one customer, queued like any other; its status follows below."), form, accounts, tracker);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const v = formValues(form);
    submit.disabled = true;
    status.info("Sending…");
    try {
      const accepted = await post<SendAccepted>("/v1/messages", {
        to: v.to,
        ...(v.account && { account: v.account }),
        content: { type: "text", text: v.text ?? "" },
      });
      const warnings = accepted.warnings?.map((w) => w.detail).join(" ") ?? "";
      status.info(`Queued as ${accepted.id}.${warnings ? ` Warning: ${warnings}` : ""}`);
      followMessage(accepted.id, tracker, ctx);
    } catch (err) {
      status.error(err, "The message was not sent");
    } finally {
      submit.disabled = false;
    }
  });
  // The accounts are a convenience for the field; a credential without accounts:write types the id.
  if (ctx.session.scopes && !ctx.session.scopes.includes("accounts:write")) return page;
  get<{ items: Account[] }>("/v1/accounts")
    .then((list) => {
      replace(accounts, ...list.items.map((a) => h("option", { value: a.id }, `${a.channel}${a.default ? " (default)" : ""}`)));
      const byDefault = list.items.find((a) => a.default);
      if (byDefault) accountHint.textContent = `Leave empty to send from your default account, ${byDefault.id}.`;
    })
    .catch((err: unknown) => {
      accountHint.textContent = `Leave empty to send from your default account. (Your accounts could not be listed: ${err instanceof Error ? err.message : String(err)})`;
    });
  return page;
}
