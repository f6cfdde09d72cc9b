/**
 * The network the relay sees in tests (Miniflare's `outboundService`, in Node): loopback requests go to
 * the local servers, names under example.com are served here as a stand-in for the public internet (media
 * files, redirects, error answers), and anything else is refused and recorded as a leak, so that a broken
 * URL guard never reaches a real address. `GET http://test-network.invalid/_leaks` lists the leaks.
 *
 * example.com paths: `/redirect?to=<url>` answers 302 to `url`; `/status/<n>` answers `n`; anything else a
 * small file whose type follows the extension. A URL with `must-not-reach` in it is a leak wherever it
 * points (loopback included): tests aim redirects at internal addresses with it.
 */
import { request as httpRequest } from "node:http";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const PUBLIC_ZONE = /(^|\.)example\.com$/;
const TYPES: Record<string, string> = { jpg: "image/jpeg", png: "image/png", pdf: "application/pdf", mp4: "video/mp4", ogg: "audio/ogg" };

/** One list for the whole test process: the pool's Workers and the e2e relay each load this module. */
const leaks: string[] = ((globalThis as { testNetworkLeaks?: string[] }).testNetworkLeaks ??= []);

function publicInternet(url: URL): Response {
  if (url.pathname === "/redirect") {
    return new Response(null, { status: 302, headers: { location: url.searchParams.get("to") ?? "/" } });
  }
  const status = /^\/status\/(\d{3})$/.exec(url.pathname);
  if (status) return new Response(`status ${status[1]}`, { status: Number(status[1]) });
  const extension = url.pathname.split(".").pop() ?? "";
  return new Response(new Uint8Array(64).fill(7), { headers: { "content-type": TYPES[extension] ?? "application/octet-stream" } });
}

/**
 * One request to a local server on a connection of its own. Not fetch: its pool reuses idle keep-alive
 * connections, and a server closing one just as a request is written on it resets that request
 * (ECONNRESET), which a test would read as the relay's doing. Redirects are not followed.
 */
function loopbackRequest(url: URL, method: string, headers: Headers, body: Buffer | undefined): Promise<Response> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers: Object.fromEntries(headers), agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("error", reject);
      incoming.on("end", () => {
        const status = incoming.statusCode ?? 502;
        const answer = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) answer.append(name, v);
        }
        const nullBody = method === "HEAD" || status === 204 || status === 205 || status === 304;
        resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: incoming.statusMessage ?? "", headers: answer }));
      });
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

export async function testNetwork(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host === "test-network.invalid") return Response.json({ leaks });
  if (LOOPBACK.has(url.hostname) && !url.href.includes("must-not-reach")) {
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : Buffer.from(await request.arrayBuffer());
    try {
      return await loopbackRequest(url, request.method, request.headers, body);
    } catch (e) {
      // A refused connection: the closest a Response can say it (with the cause, should a test not expect it).
      const cause = e instanceof Error ? `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ""}` : String(e);
      return new Response(`nothing listens there (${cause})`, { status: 502, headers: { "x-test-network": "unreachable" } });
    }
  }
  if (PUBLIC_ZONE.test(url.hostname)) return publicInternet(url);
  leaks.push(`${request.method} ${url.href}`);
  return new Response("blocked by the test network", { status: 502 });
}
