/**
 * Who is signed in. The credential lives in this tab's `sessionStorage` only: never in a URL (which
 * would reach histories and logs), never in a cookie (which the browser would send by itself). It is
 * sent as `Authorization: Bearer`, and signing out (or closing the tab) forgets it.
 */

/** A tenant's API key or JWT, or an operator key (optionally looking at one tenant). */
export interface Session {
  kind: "tenant" | "operator";
  credential: string;
  /** The tenant, once the relay said which (`GET /v1/me`). */
  tenant?: string;
  /** What the credential may do, when the relay said (tenant credentials). */
  scopes?: string[];
  /** An operator looking at a tenant's pages: sent as `X-Relay-Tenant`. */
  actingTenant?: string;
}

const KEY = "messenger-relay.console.session";

/** The session of this tab, if one is signed in. */
export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as Partial<Session>;
    if ((parsed.kind !== "tenant" && parsed.kind !== "operator") || typeof parsed.credential !== "string") return undefined;
    return parsed as Session;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

/** Signs out: nothing of the credential stays in the tab. */
export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
