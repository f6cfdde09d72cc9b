/**
 * The tenant's API keys: create one with some scopes (the key is shown this once), list them with when
 * each was last used, revoke one.
 */
import { del, get, post, seg } from "../api";
import { button, h, replace, uid, viewHeading } from "../dom";
import { timeEl } from "../format";
import { notice } from "../notice";
import { arraySource, PagedTable } from "../paged-table";
import { type ApiKey, type IssuedApiKey, SCOPES } from "../types";
import type { ViewContext } from "../view";

/** What a new key may do unless the form says otherwise: the API's own default. */
const DEFAULT_SCOPES = new Set(["messages:send", "messages:read"]);

/** The new key, once: with a copy button, until it is dismissed. */
function shownOnce(issued: IssuedApiKey, onDone: () => void): HTMLElement {
  const keyId = uid("new-key");
  const copied = h("span", { "aria-live": "polite" });
  const box = h(
    "section",
    { class: "secret", "aria-labelledby": `${keyId}-title` },
    h("h2", { id: `${keyId}-title` }, `New key ${issued.id}`),
    h("p", {}, "Store this key now: it is shown this once and cannot be read again."),
    h("p", {}, h("code", { id: keyId, class: "key" }, issued.key)),
    h(
      "div",
      { class: "actions" },
      button("Copy the key", async () => {
        try {
          await navigator.clipboard.writeText(issued.key);
          copied.textContent = "Copied.";
        } catch {
          copied.textContent = "Copying is not allowed here: select the key and copy it.";
        }
      }),
      button("I have stored it", onDone),
      copied,
    ),
  );
  return box;
}

export function apiKeysView(ctx: ViewContext): HTMLElement {
  let keys: ApiKey[] = [];
  const status = notice();
  const secret = h("div");

  const revokeCell = (k: ApiKey): Node => {
    if (k.revokedAt) return h("span", { class: "muted" }, "revoked");
    const cell = h("span", { class: "actions" });
    const ask = (): void => {
      replace(
        cell,
        button("Confirm revoke", async () => {
          try {
            await del(`/v1/api-keys/${seg(k.id)}`);
            status.info(`Key ${k.id} is revoked: it is refused everywhere within 30 seconds.`);
            await load();
          } catch (e) {
            status.error(e, `Could not revoke ${k.id}`);
            reset();
          }
        }, { "aria-label": `Confirm: revoke key ${k.id}`, class: "danger" }),
        button("Cancel", () => {
          reset();
          (cell.querySelector("button") as HTMLButtonElement).focus();
        }, { "aria-label": `Keep key ${k.id}` }),
      );
      (cell.querySelector("button") as HTMLButtonElement).focus();
    };
    const reset = (): void => replace(cell, button("Revoke", ask, { "aria-label": `Revoke key ${k.id}` }));
    reset();
    return cell;
  };

  const table = new PagedTable<ApiKey>({
    caption: "API keys",
    empty: "This tenant has no API keys in the registry.",
    columns: [
      { header: "Id", cell: (k) => h("code", {}, k.id) },
      { header: "Scopes", cell: (k) => k.scopes.join(", ") },
      { header: "Ends with", cell: (k) => k.hint ?? "" },
      { header: "Source", cell: (k) => k.source },
      { header: "Created", cell: (k) => timeEl(k.createdAt) },
      { header: "Last used", cell: (k) => timeEl(k.lastUsedAt) || "never" },
      { header: "Revoked", cell: (k) => timeEl(k.revokedAt) },
      { header: "Action", cell: revokeCell },
    ],
    source: (cursor, limit, signal) => arraySource(keys)(cursor, limit, signal),
  });
  ctx.onLeave(() => table.dispose());

  async function load(): Promise<void> {
    try {
      keys = (await get<{ items: ApiKey[] }>("/v1/api-keys")).items;
    } catch (e) {
      status.error(e, "Could not list the keys");
      keys = [];
    }
    await table.reload();
  }

  const boxes = SCOPES.map((s) => h("input", { type: "checkbox", name: "scopes", value: s, id: `scope-${s.replace(":", "-")}`, checked: DEFAULT_SCOPES.has(s) }));
  const submit = h("button", { type: "submit" }, "Create key");
  const form = h(
    "form",
    { class: "stack" },
    h("fieldset", {}, h("legend", {}, "Scopes of the new key (at most your own)"), ...boxes.map((b) => h("div", { class: "choice" }, b, h("label", { for: b.id }, b.value)))),
    submit,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const scopes = boxes.filter((b) => b.checked).map((b) => b.value);
    if (scopes.length === 0) return status.error(new Error("Choose at least one scope."));
    submit.disabled = true;
    try {
      const issued = await post<IssuedApiKey>("/v1/api-keys", { scopes });
      status.info(`Key ${issued.id} created.`);
      replace(
        secret,
        shownOnce(issued, () => {
          replace(secret);
          submit.focus();
        }),
      );
      (secret.querySelector("button") as HTMLButtonElement).focus();
      await load();
    } catch (err) {
      status.error(err, "The key was not created");
    } finally {
      submit.disabled = false;
    }
  });
  void load();
  return h("div", {}, viewHeading("API keys"), h("section", { class: "panel" }, h("h2", {}, "Create a key"), form), status.element, secret, table.element);
}
