/**
 * Sign in with a tenant's API key or JWT, or an operator key. The credential is checked with the relay
 * (`GET /v1/me`, `GET /admin/v1/me`) before it is kept for the tab.
 */
import { api, ApiError } from "../api";
import { field, h } from "../dom";
import { notice } from "../notice";
import type { Session } from "../session";
import type { Me } from "../types";

/**
 * Asks the relay who the credential is. Relays without `/v1/me` or `/admin/v1/me` answer 404
 * `not_found`: then a read the credential can make proves it (a tenant key that lacks the scope is
 * still a valid key).
 */
export async function verify(kind: Session["kind"], credential: string): Promise<Session> {
  const trial: Session = { kind, credential };
  if (kind === "operator") {
    try {
      await api("GET", "/admin/v1/me", { session: trial });
    } catch (e) {
      if (!(e instanceof ApiError && e.unavailable)) throw e;
      await api("GET", "/admin/v1/tenants", { session: trial, query: { limit: 1 } });
    }
    return trial;
  }
  try {
    const me = await api<Me>("GET", "/v1/me", { session: trial });
    return { ...trial, tenant: me.tenant, scopes: me.scopes };
  } catch (e) {
    if (!(e instanceof ApiError && e.unavailable)) throw e;
  }
  try {
    await api("GET", "/v1/conversations", { session: trial, query: { limit: 1 } });
  } catch (e) {
    if (!(e instanceof ApiError && e.code === "insufficient_scope")) throw e;
  }
  return trial;
}

export function signInView(onSignedIn: (session: Session) => void): HTMLElement {
  const credential = h("input", { type: "password", name: "credential", required: true, autocomplete: "off", spellcheck: "false" });
  const tenantKind = h("input", { type: "radio", name: "kind", value: "tenant", id: "kind-tenant", checked: true });
  const operatorKind = h("input", { type: "radio", name: "kind", value: "operator", id: "kind-operator" });
  const status = notice();
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    { class: "sign-in", "aria-labelledby": "sign-in-title" },
    h("fieldset", {}, h("legend", {}, "Sign in as"), h("div", { class: "choice" }, tenantKind, h("label", { for: "kind-tenant" }, "A tenant (API key or JWT)")), h("div", { class: "choice" }, operatorKind, h("label", { for: "kind-operator" }, "The relay's operator (operator key)"))),
    field("Key or token", credential, "Kept in this browser tab only (session storage) and sent as a bearer token; signing out or closing the tab forgets it."),
    submit,
    status.element,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const kind = operatorKind.checked ? "operator" : "tenant";
    submit.disabled = true;
    status.info("Checking the credential…");
    try {
      const session = await verify(kind, credential.value.trim());
      credential.value = "";
      onSignedIn(session);
    } catch (err) {
      status.error(err, "Could not sign in");
      credential.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return h(
    "main",
    { id: "main", class: "sign-in-page", tabindex: -1 },
    h("h1", { id: "sign-in-title" }, "Messenger Relay console"),
    h("p", {}, "Watch messages, events and endpoints, replay what failed, and manage keys."),
    form,
  );
}
