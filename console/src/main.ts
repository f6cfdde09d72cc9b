/**
 * The web console: sign-in, then the tenant's pages or the operator's, one at a time, chosen by the
 * URL's hash (`#/messages`) so that the browser's back and forward work and a page can be bookmarked.
 * The hash never carries a credential or any data.
 */
import { useSession } from "./api";
import { button, h, replace } from "./dom";
import { notice } from "./notice";
import { clearSession, loadSession, saveSession, type Session } from "./session";
import type { Route, ViewContext } from "./view";
import { accountsView } from "./views/accounts";
import { apiKeysView } from "./views/api-keys";
import { conversationsView } from "./views/conversations";
import { deadLettersView } from "./views/dead-letters";
import { endpointsView } from "./views/endpoints";
import { messagesView } from "./views/messages";
import { overviewView } from "./views/overview";
import { sendView } from "./views/send";
import { signInView } from "./views/sign-in";
import { tenantsView } from "./views/tenants";
import { totalsView } from "./views/totals";

const TENANT_ROUTES: Route[] = [
  { path: "overview", label: "Overview", render: overviewView },
  { path: "send", label: "Send", render: sendView },
  { path: "messages", label: "Messages", render: messagesView },
  { path: "conversations", label: "Conversations", render: conversationsView },
  { path: "dead-letters", label: "Dead letters", render: deadLettersView },
  { path: "accounts", label: "Accounts", render: accountsView },
  { path: "endpoints", label: "Endpoints", render: endpointsView },
  { path: "keys", label: "API keys", render: apiKeysView },
];

const OPERATOR_ROUTES: Route[] = [
  { path: "tenants", label: "Tenants", render: tenantsView },
  { path: "totals", label: "Totals", render: totalsView },
];

const PRODUCT = "Messenger Relay console";

const root = document.getElementById("app") as HTMLElement;
/** Failures nobody caught: said in words too, never only in the browser's console. */
const unexpected = notice();
let session: Session | undefined;
let leaving: (() => void)[] = [];

const routesOf = (s: Session) => (s.kind === "operator" && !s.actingTenant ? OPERATOR_ROUTES : TENANT_ROUTES);
const pathOfHash = () => location.hash.replace(/^#\/?/, "");

function leaveView(): void {
  for (const fn of leaving) fn();
  leaving = [];
}

function who(s: Session): string {
  if (s.kind === "operator") return s.actingTenant ? `Operator, viewing tenant ${s.actingTenant}` : "Operator";
  return s.tenant ? `Tenant ${s.tenant}` : "Tenant";
}

function signOut(): void {
  leaveView();
  clearSession();
  useSession((session = undefined));
  history.replaceState(null, "", location.pathname);
  showSignIn();
}

function switchSession(next: Session, hash: string): void {
  saveSession(next);
  useSession((session = next));
  history.pushState(null, "", hash);
  renderShell(true);
}

function showSignIn(): void {
  document.title = `Sign in · ${PRODUCT}`;
  replace(
    root,
    signInView((s) => {
      switchSession(s, `#/${routesOf(s)[0]!.path}`);
    }),
  );
  (root.querySelector("input[type=password]") as HTMLInputElement | null)?.focus();
}

/** The header, navigation and the current page. */
function renderShell(focusView: boolean): void {
  const s = session;
  if (!s) return showSignIn();
  const routes = routesOf(s);
  let route = routes.find((r) => r.path === pathOfHash());
  if (!route) {
    route = routes[0]!;
    history.replaceState(null, "", `#/${route.path}`);
  }
  leaveView();
  const main = h("main", { id: "main", tabindex: -1 });
  const ctx: ViewContext = {
    session: s,
    onLeave: (fn) => leaving.push(fn),
    navigate: (hash) => {
      location.hash = hash;
    },
    switchSession,
  };
  const nav = h(
    "nav",
    { "aria-label": "Pages" },
    h("ul", {}, ...routes.map((r) => h("li", {}, h("a", { href: `#/${r.path}`, "aria-current": r === route ? "page" : null }, r.label)))),
  );
  // The open page's own link reads it again (the hash does not change, so nothing else would).
  nav.querySelector("a[aria-current=page]")?.addEventListener("click", (e) => {
    e.preventDefault();
    renderShell(true);
  });
  const skip = h("a", { class: "skip", href: "#/" + route.path }, "Skip to the page");
  // The skip link moves focus without touching the hash (which names the page).
  skip.addEventListener("click", (e) => {
    e.preventDefault();
    main.focus();
  });
  const acting =
    s.kind === "operator" && s.actingTenant
      ? h("div", { class: "acting", role: "note" }, `You are looking at tenant ${s.actingTenant} with your operator key. `, button("Back to the operator's pages", () => switchSession({ kind: s.kind, credential: s.credential }, "#/tenants")))
      : null;
  replace(
    root,
    skip,
    h("header", { class: "top" }, h("span", { class: "brand" }, "Messenger Relay"), h("span", { class: "who" }, who(s)), button("Sign out", signOut)),
    acting,
    nav,
    unexpected.element,
    main,
  );
  unexpected.clear();
  main.append(route.render(ctx));
  document.title = `${route.label} · ${PRODUCT}`;
  if (focusView) (main.querySelector(".view-title") as HTMLElement | null)?.focus();
}

window.addEventListener("hashchange", () => {
  if (session) renderShell(true);
});
window.addEventListener("unhandledrejection", (e) => unexpected.error(e.reason, "Something went wrong"));
window.addEventListener("error", (e) => unexpected.error(e.error ?? e.message, "Something went wrong"));

session = loadSession();
useSession(session);
renderShell(false);
