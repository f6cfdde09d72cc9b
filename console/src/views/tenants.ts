/**
 * The operator's tenants: list (a page at a time), create, suspend and resume, and open one: its pages,
 * as the tenant sees them, through the operator's key with `X-Relay-Tenant`.
 */
import { get, post, seg } from "../api";
import { button, field, formValues, h, viewHeading } from "../dom";
import { timeEl } from "../format";
import { notice } from "../notice";
import { PagedTable } from "../paged-table";
import type { Tenant } from "../types";
import type { ViewContext } from "../view";

export function tenantsView(ctx: ViewContext): HTMLElement {
  const status = notice();
  const setStatus = async (t: Tenant, action: "suspend" | "resume") => {
    try {
      await post(`/admin/v1/tenants/${seg(t.id)}/${action}`);
      status.info(action === "suspend" ? `Tenant ${t.id} is suspended: it reads, but cannot send.` : `Tenant ${t.id} is active again.`);
      await table.refresh();
    } catch (e) {
      status.error(e, `Could not ${action} ${t.id}`);
    }
  };
  const table: PagedTable<Tenant> = new PagedTable<Tenant>({
    caption: "Tenants, by id",
    empty: "No tenants yet.",
    columns: [
      { header: "Id", cell: (t) => h("code", {}, t.id) },
      { header: "Name", cell: (t) => t.name },
      { header: "Status", cell: (t) => h("span", { class: `badge tenant-${t.status}` }, t.status) },
      { header: "Source", cell: (t) => t.source },
      { header: "Created", cell: (t) => timeEl(t.createdAt) },
      {
        header: "Actions",
        cell: (t) =>
          h(
            "span",
            { class: "actions" },
            button("Open", () => ctx.switchSession({ ...ctx.session, actingTenant: t.id }, "#/overview"), { "aria-label": `Open tenant ${t.id}` }),
            t.status === "active"
              ? button("Suspend", () => void setStatus(t, "suspend"), { "aria-label": `Suspend tenant ${t.id}` })
              : button("Resume", () => void setStatus(t, "resume"), { "aria-label": `Resume tenant ${t.id}` }),
          ),
      },
    ],
    // The API pages by id: `after` is the last id of the page before, which its `next` names.
    source: (cursor, limit, signal) => get<{ items: Tenant[]; next?: string }>("/admin/v1/tenants", { limit, after: cursor }, signal),
  });
  ctx.onLeave(() => table.dispose());

  const submit = h("button", { type: "submit" }, "Create tenant");
  const form = h(
    "form",
    { class: "filters", "aria-label": "Create a tenant" },
    field("Id", h("input", { name: "id", required: true, autocomplete: "off", pattern: "[a-z0-9][a-z0-9_\\-]{0,62}" }), "Lowercase letters, digits, - and _; it names the tenant for good."),
    field("Name", h("input", { name: "name", required: true, autocomplete: "off" })),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const v = formValues(form);
    submit.disabled = true;
    try {
      const t = await post<Tenant>("/admin/v1/tenants", { id: v.id, name: v.name });
      status.info(`Tenant ${t.id} created. Open it to issue its first key, or use POST /admin/v1/tenants/${t.id}/api-keys.`);
      form.reset();
      await table.reload();
    } catch (err) {
      status.error(err, "The tenant was not created");
    } finally {
      submit.disabled = false;
    }
  });
  void table.reload();
  return h("div", {}, viewHeading("Tenants"), h("section", { class: "panel" }, h("h2", {}, "Create a tenant"), form), status.element, table.element);
}
