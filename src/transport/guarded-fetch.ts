import { errorKind, RefusedUrlError, TooLargeError, UnreachableError } from "./errors";
import { hostProblem, isLoopback, resolvedHostProblem } from "./public-address";

/** Where the relay may fetch a URL it was handed, from the relay's configuration. */
export interface UrlPolicy {
  /** The local sandbox: plain http and loopback hosts are allowed too. Never in production. */
  sandbox: boolean;
  /** DNS over HTTPS (JSON) that resolves names to check every address is public. */
  resolverUrl: string;
}

export interface GuardedRequest {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit;
  /** Bounds the whole exchange, redirects included (reading the body is bounded by the same signal). */
  timeoutMs: number;
  /** Redirects followed, each hop checked like the first; beyond it (or at 0) a redirect is returned as it is. */
  maxRedirects?: number;
  /** A further rule for every hop (a platform's own media hosts): why the URL is not allowed, or null. */
  allow?: (url: URL) => string | null;
  /** Origins the operator configured (a platform's API base): fetched without the address checks. */
  trustedOrigins?: readonly string[];
}

/** The final answer and the URL that gave it (after redirects). */
export interface GuardedResponse {
  response: Response;
  url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/** Why the relay will never fetch `url` under `policy` (scheme, credentials, a local name or address), or null; no DNS. */
export function staticUrlProblem(url: URL, policy: Pick<UrlPolicy, "sandbox">): string | null {
  const schemes = policy.sandbox ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(url.protocol)) return `${url.protocol}// URLs are not fetched; use https`;
  if (url.username || url.password) return "URLs with credentials are not fetched";
  if (policy.sandbox && isLoopback(url.hostname)) return null;
  return hostProblem(url.hostname);
}

/** Why the relay will not fetch `url` under `policy`, or null; resolves names (throws UnreachableError when DNS cannot answer). */
export async function urlProblem(url: URL, policy: UrlPolicy, request: Pick<GuardedRequest, "allow" | "trustedOrigins"> = {}): Promise<string | null> {
  if (request.trustedOrigins?.includes(url.origin)) return null;
  const problem = staticUrlProblem(url, policy) ?? request.allow?.(url) ?? null;
  if (problem || (policy.sandbox && isLoopback(url.hostname))) return problem;
  return resolvedHostProblem(url.hostname, policy.resolverUrl);
}

/**
 * The one way the relay fetches a URL that a client or a platform handed it (outbound media, inbound media,
 * business endpoints): https only (http in the sandbox), no credentials in the URL, the host a public name
 * or address (names resolved over DNS-over-HTTPS, every address checked), redirects followed by hand with
 * every hop checked again, and one timeout for all of it. Throws RefusedUrlError when a hop is not
 * allowed, UnreachableError when the network, the resolver or the server does not answer in time.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
 */
export async function guardedFetch(input: string | URL, request: GuardedRequest, policy: UrlPolicy): Promise<GuardedResponse> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new RefusedUrlError(`'${String(input).slice(0, 200)}' is not a URL`);
  }
  const signal = AbortSignal.timeout(request.timeoutMs);
  const headers = new Headers(request.headers);
  let method = request.method ?? "GET";
  let body = request.body;
  const maxRedirects = request.maxRedirects ?? 0;
  for (let hop = 0; ; hop++) {
    const problem = await urlProblem(url, policy, request);
    if (problem) throw new RefusedUrlError(hop === 0 ? problem : `redirected to ${url.href}: ${problem}`);
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, redirect: "manual", signal });
    } catch (e) {
      throw new UnreachableError(`${url.host} did not answer (${errorKind(e)})`);
    }
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null || maxRedirects === 0) return { response, url };
    await response.body?.cancel();
    if (hop >= maxRedirects) throw new RefusedUrlError(`${url.host} redirected more than ${maxRedirects} times`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new RefusedUrlError(`${url.host} redirected to an invalid URL`);
    }
    if (next.origin !== url.origin) for (const h of CREDENTIAL_HEADERS) headers.delete(h);
    // As browsers do: a 303, or a 301/302 after a POST, continues as a GET without the body.
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
    }
    url = next;
  }
}

/** Reads a whole body of at most `maxBytes`; throws TooLargeError (and stops reading) beyond it. */
export async function readBounded(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new TooLargeError(`the body is larger than ${maxBytes} bytes`);
  }
  return readStreamBounded(response.body, maxBytes);
}

/** Reads a stream of at most `maxBytes` into one array; throws TooLargeError beyond it. */
export async function readStreamBounded(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (e) {
      throw new UnreachableError(`reading the body failed (${errorKind(e)})`);
    }
    if (chunk.done) break;
    size += chunk.value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new TooLargeError(`the body is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk.value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Reads and drops a response's body so that its connection can carry the next request: a body cancelled
 * before its end closes the connection, and the next request to the same host pays a new one. A body
 * longer than `maxBytes` is cancelled there (the connection is not worth that much reading).
 */
export async function discardBody(response: Response, maxBytes = 64 * 1024): Promise<void> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  // A body of a declared small length is read by the runtime in one go; any other by the bounded reader.
  await (declared <= maxBytes ? response.arrayBuffer() : readBounded(response, maxBytes)).catch(() => {});
}

/** A response whose body errors once more than `maxBytes` have passed (for bodies streamed on to a client). */
export function boundedResponse(response: Response, maxBytes: number): Response {
  if (!response.body) return response;
  let seen = 0;
  const limit = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.length;
      if (seen > maxBytes) controller.error(new TooLargeError(`the body is larger than ${maxBytes} bytes`));
      else controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(limit), response);
}
