/**
 * The relay's HTTP API as the console calls it: same origin, the credential as a bearer token, the
 * tenant an operator looks at as `X-Relay-Tenant`, and every failure turned into an `ApiError` that
 * carries the problem document's words (RFC 9457 `detail`), so that no failure is ever silent.
 */
import type { Session } from "./session";

/** A failed call: its HTTP status (0 when the relay could not be reached), code and words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    /** Per-field problems of a `validation_failed` answer. */
    readonly errors: { path?: string; message?: string }[] = [],
  ) {
    super(detail);
    this.name = "ApiError";
  }

  /**
   * The relay has no such route (its catch-all 404 `not_found`): a feature this relay does not offer
   * yet, as opposed to an object that does not exist (`message_not_found`, ...).
   */
  get unavailable(): boolean {
    return this.status === 404 && this.code === "not_found";
  }
}

/** The error's words for people: the problem's detail, with each field's problem when there are some. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    const fields = e.errors.map((f) => `${f.path || "(body)"}: ${f.message ?? "invalid"}`);
    return fields.length > 0 ? `${e.detail} (${fields.join("; ")})` : e.detail;
  }
  return e instanceof Error ? e.message : String(e);
}

type Query = Record<string, string | number | undefined>;

interface CallOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Sign in: the credential being tried, before there is a session. */
  session?: Session;
}

let current: Session | undefined;

/** The session every call authenticates with from now on. */
export function useSession(session: Session | undefined): void {
  current = session;
}

/** `path?query`, leaving out empty values. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

interface Problem {
  code?: unknown;
  detail?: unknown;
  title?: unknown;
  errors?: unknown;
}

async function problemOf(res: Response): Promise<ApiError> {
  let problem: Problem = {};
  try {
    problem = (await res.json()) as Problem;
  } catch {
    // Not JSON (a proxy's page, say): the status line says what there is to say.
  }
  const detail = typeof problem.detail === "string" ? problem.detail : typeof problem.title === "string" ? problem.title : `The relay answered HTTP ${res.status} ${res.statusText}.`.replace(" .", ".");
  const errors = Array.isArray(problem.errors) ? (problem.errors as { path?: string; message?: string }[]) : [];
  return new ApiError(res.status, typeof problem.code === "string" ? problem.code : `http_${res.status}`, detail, errors);
}

/** Calls the relay; resolves with the JSON answer (undefined for 204), rejects with an ApiError. */
export async function api<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const session = options.session ?? current;
  const headers: Record<string, string> = { accept: "application/json" };
  if (session) headers.authorization = `Bearer ${session.credential}`;
  // Only tenant routes take it: an operator's own routes (/admin) are the operator's.
  if (session?.actingTenant && path.startsWith("/v1/")) headers["x-relay-tenant"] = session.actingTenant;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(withQuery(path, options.query), {
      method,
      headers,
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      ...(options.signal && { signal: options.signal }),
      // The credential is in a header; nothing else of the browser's should travel.
      credentials: "omit",
      cache: "no-store",
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "network", "The relay could not be reached. Check the connection and try again.");
  }
  if (!res.ok) {
    const problem = await problemOf(res);
    // An operator on a tenant's pages: a refusal is about acting as the tenant, and says so.
    if (problem.status === 401 && headers["x-relay-tenant"]) {
      throw new ApiError(401, problem.code, `The relay refused the operator key on tenant ${session?.actingTenant}'s pages: ${problem.detail} (a relay without operator access to tenants, X-Relay-Tenant, does this).`);
    }
    throw problem;
  }
  if (res.status === 204) return undefined as T;
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError(res.status, "invalid_answer", "The relay's answer was not the JSON expected.");
  }
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) => api<T>("GET", path, { ...(query && { query }), ...(signal && { signal }) });
export const post = <T>(path: string, body?: unknown) => api<T>("POST", path, body === undefined ? {} : { body });
export const del = (path: string) => api<void>("DELETE", path);

/** A path segment: ids come from the relay, but never trust them to be URL-safe. */
export const seg = (id: string) => encodeURIComponent(id);
