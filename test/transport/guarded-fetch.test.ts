/**
 * The guarded fetch outside the sandbox: https only, public hosts only, every redirect hop checked. The
 * requests go through the test network, which records any that reaches an internal target.
 */
import { describe, expect, inject, it } from "vitest";
import { RefusedUrlError, TooLargeError } from "../../src/transport/errors";
import { boundedResponse, discardBody, guardedFetch, readBounded, type UrlPolicy } from "../../src/transport/guarded-fetch";

const production = (): UrlPolicy => ({ sandbox: false, resolverUrl: inject("dnsResolverUrl") });
const get = (url: string, maxRedirects = 5) => guardedFetch(url, { timeoutMs: 5000, maxRedirects }, production());
const via = (target: string) => `https://media.example.com/redirect?to=${encodeURIComponent(target)}`;

describe("guarded fetch, in production", () => {
  it("fetches a public https URL, following redirects to the end", async () => {
    const { response, url } = await get(via(via("https://cdn.example.com/final.jpg")));
    expect(response.status).toBe(200);
    expect(url.href).toBe("https://cdn.example.com/final.jpg");
    await response.body?.cancel();
  });

  it.each([
    ["plain http", "http://media.example.com/a.jpg", /http:\/\/ URLs are not fetched; use https/],
    ["loopback by name", "https://localhost/must-not-reach", /localhost is a local name/],
    ["loopback, IPv6", "https://[::1]/must-not-reach", /\[::1\] is not a public address/],
    ["loopback, IPv4", "https://127.0.0.1:8787/must-not-reach", /127\.0\.0\.1 is not a public address/],
    ["credentials", "https://user:secret@media.example.com/a.jpg", /credentials/],
    ["another scheme", "ftp://media.example.com/a.jpg", /ftp:\/\/ URLs are not fetched/],
    ["a name resolving inside", "https://internal.example.com/must-not-reach", /resolves to 10\.0\.0\.7/],
    ["a name that does not resolve", "https://nowhere.test/must-not-reach", /does not resolve/],
  ])("refuses %s, directly and behind a redirect", async (_what, target, why) => {
    await expect(get(target)).rejects.toThrow(why);
    const behind = get(via(target));
    await expect(behind).rejects.toBeInstanceOf(RefusedUrlError);
    await expect(behind).rejects.toThrow(/^redirected to /);
  });

  it("returns a redirect as it is when it follows none (endpoints), and refuses past the limit", async () => {
    const { response } = await get(via("https://[::1]/must-not-reach"), 0);
    expect(response.status).toBe(302);
    await expect(get(via(via("https://cdn.example.com/a.jpg")), 1)).rejects.toThrow(/redirected more than 1 times/);
  });

  it("never reached an internal target", async () => {
    const { leaks } = (await (await fetch("http://test-network.invalid/_leaks")).json()) as { leaks: string[] };
    expect(leaks.filter((l) => l.includes("must-not-reach") && !l.includes("probe"))).toEqual([]);
  });
});

describe("bounded reads", () => {
  it("refuses a body over the bound, by its declared length or as it streams", async () => {
    await expect(readBounded(new Response("x".repeat(100), { headers: { "content-length": "100" } }), 10)).rejects.toBeInstanceOf(TooLargeError);
    const undeclared = new Response(new Blob(["x".repeat(100)]).stream());
    await expect(readBounded(undeclared, 10)).rejects.toBeInstanceOf(TooLargeError);
    expect(new TextDecoder().decode(await readBounded(new Response("small"), 10))).toBe("small");
  });

  it("a body discarded is read to its end, so that its connection carries the next request; a long one is cancelled at the bound", async () => {
    /** A body of `chunks` chunks of 1 KiB, and what became of it. */
    const body = (chunks: number) => {
      const seen = { pulled: 0, cancelled: false };
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (seen.pulled++ < chunks) controller.enqueue(new Uint8Array(1024));
          else controller.close();
        },
        cancel() {
          seen.cancelled = true;
        },
      });
      return { response: new Response(stream), seen };
    };
    const short = body(3);
    await discardBody(short.response);
    expect(short.seen).toEqual({ pulled: 4, cancelled: false });
    expect(short.response.bodyUsed).toBe(true);
    const declared = new Response("ok", { headers: { "content-length": "2" } });
    await discardBody(declared);
    expect(declared.bodyUsed).toBe(true);
    const long = body(1000);
    await discardBody(long.response, 8 * 1024);
    expect(long.seen.cancelled).toBe(true);
    expect(long.seen.pulled).toBeLessThan(20);
  });

  it("a streamed body errors once it passes the bound", async () => {
    await expect(boundedResponse(new Response("x".repeat(100)), 10).text()).rejects.toThrow(/larger than 10 bytes/);
    expect(await boundedResponse(new Response("ok"), 10).text()).toBe("ok");
  });
});
