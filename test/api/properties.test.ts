/**
 * Property tests over everything that takes outside input: whatever a client sends to any route (body,
 * headers, path), the answer is never a 5xx, and every refusal is a problem document with a stable
 * code; whatever JSON a platform signs correctly, its webhook answers 200 or a 4xx and never throws.
 * Runs are bounded so that `npm test` stays quick.
 */
import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KITS } from "../channels/kits";
import { ADMIN_KEY, TEST_KEYS } from "../support/constants";

const RUNS = 25;
const BASE = "https://relay.test";

/** An answer the relay may give to any input: below 500, and a problem document when it refuses. */
async function expectWellFormed(res: Response, what: string): Promise<void> {
  const text = await res.text();
  expect(res.status, `${what} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get("content-type"), what).toBe("application/problem+json");
    const body = JSON.parse(text) as { code?: unknown; status?: unknown; detail?: unknown };
    expect(typeof body.code, what).toBe("string");
    expect(body.status, what).toBe(res.status);
    expect(typeof body.detail, what).toBe("string");
  }
}

/** Strings a careless or hostile client sends: unicode, invisible characters, numbers, huge and empty ones. */
const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom("", " \n ", "\ufeff", "\u200b", "+49 151 2345678", "49123123456", "../../etc", "%00", "wa-acme", "x".repeat(5000)),
  fc.string({ unit: "binary", maxLength: 20 }),
);
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true }),
  fc.constantFrom("http://169.254.169.254/", "https://localhost/a.jpg", "file:///etc/passwd", "https://[::1]/", "https://media.example.com/a.jpg", "javascript:alert(1)"),
  text,
);
const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Unified content, mostly well-shaped, with any field possibly wrong. */
const content = fc.oneof(
  fc.record({ type: fc.constant("text"), text, previewUrl: fc.oneof(fc.boolean(), anyJson) }, { requiredKeys: ["type"] }),
  fc.record({ type: fc.constantFrom("image", "video", "audio", "document"), url, caption: text, filename: text }, { requiredKeys: ["type"] }),
  fc.record({ type: fc.constant("buttons"), text, buttons: fc.array(fc.record({ id: text, title: text }), { maxLength: 15 }) }),
  fc.record({
    type: fc.constant("list"),
    text,
    button: text,
    sections: fc.array(fc.record({ title: text, rows: fc.array(fc.record({ id: text, title: text, description: text }), { maxLength: 11 }) }), { maxLength: 3 }),
  }),
  fc.record({ type: fc.constant("location"), latitude: fc.oneof(fc.double(), anyJson), longitude: fc.double(), name: text }),
  fc.record({ type: fc.constant("template"), name: text, language: text, parameters: fc.array(anyJson, { maxLength: 3 }), components: fc.array(anyJson, { maxLength: 3 }) }),
  anyJson,
);
const sendBody = fc.oneof(
  fc.record({ to: fc.oneof(text, anyJson), account: fc.oneof(text, fc.constantFrom("wa-acme", "telegram-test", "apple-test", "wa-globex")), content, reference: text }, { requiredKeys: ["to", "content"] }),
  fc.record({ id: fc.oneof(text, anyJson), message: fc.oneof(text, anyJson) }),
  anyJson,
);
/** A body as bytes on the wire: JSON of a value, or something that is not JSON at all. */
const rawBody = fc.oneof(
  sendBody.map((v) => JSON.stringify(v)),
  fc.nat({ max: 400 }).map((d) => `${"[".repeat(d)}${"]".repeat(d)}`),
  fc.string({ maxLength: 200 }),
  fc.constant(""),
);
const headers = fc.record(
  {
    authorization: fc.constantFrom(`Bearer ${ADMIN_KEY}`, `Bearer ${TEST_KEYS.acme}`, `Bearer ${TEST_KEYS.acmeReadOnly}`, `Bearer ${TEST_KEYS.globex}`, "Bearer nope", "Basic abc", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhY21lIn0.", ""),
    "content-type": fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/problem+json", "multipart/form-data", ""),
    "idempotency-key": fc.oneof(fc.string({ maxLength: 10 }), fc.constant("k".repeat(300))),
    "x-api-key": fc.constantFrom(TEST_KEYS.acme, "wrong"),
  },
  { requiredKeys: [] },
);
const segment = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("msg_", `msg_${"a".repeat(80)}`, "..", "%2e%2e", "evt_1")).map((s) => encodeURIComponent(s));
const route = fc.oneof(
  fc.constantFrom("POST /v1/messages", "POST /api/v7/chat", "GET /v1/dead-letters", "GET /v1/endpoints", "POST /v1/endpoints", "POST /v1/accounts", "PATCH /v1/accounts/wa-acme", "POST /v1/endpoints/default/enable", "GET /health", "POST /admin/v1/tenants", "GET /admin/v1/tenants"),
  segment.map((s) => `POST /admin/v1/tenants/${s}/api-keys`),
  fc.tuple(fc.constantFrom("GET", "PATCH", "DELETE"), segment).map(([m, s]) => `${m} /admin/v1/tenants/${s}`),
  segment.map((s) => `GET /v1/messages/${s}`),
  segment.map((s) => `GET /v1/media/${s}`),
  segment.map((s) => `POST /v1/dead-letters/${s}/replay`),
  fc.tuple(fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"), fc.array(segment, { maxLength: 4 })).map(([m, parts]) => `${m} /${parts.join("/")}`),
);

describe("client routes, arbitrary input (property)", () => {
  it("never answer 5xx, and refuse with a problem document carrying a code", async () => {
    await fc.assert(
      fc.asyncProperty(route, rawBody, headers, async (r, body, h) => {
        const [method, path] = r.split(" ") as [string, string];
        const init: RequestInit = { method, headers: Object.fromEntries(Object.entries(h).filter(([, v]) => v !== "")) };
        if (method !== "GET" && method !== "HEAD") init.body = body;
        await expectWellFormed(await SELF.fetch(BASE + path, init), `${r} ${body.slice(0, 120)}`);
      }),
      { numRuns: RUNS * 10 },
    );
  });
});

/** Every path of a JSON value (to objects' keys and arrays' items), at most `limit` of them. */
function pathsOf(value: unknown, limit = 500): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (out.length >= limit) return;
    out.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
  return out;
}

/** A copy of `value` with the value at `path` replaced (the root when the path is empty). */
function replaced(value: unknown, path: (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = by;
  return copy;
}

describe("platform webhooks, correctly signed arbitrary JSON (property)", () => {
  for (const kit of KITS) {
    const fixtures = Object.values(kit.fixtures);
    // Real payloads with a few fields replaced by anything: reaches deep into each parser.
    const mutated = fc
      .tuple(fc.constantFrom(...fixtures), fc.array(fc.tuple(fc.nat(), anyJson), { minLength: 1, maxLength: 4 }))
      .map(([raw, edits]) => {
        let value: unknown = JSON.parse(raw);
        for (const [pick, by] of edits) {
          const paths = pathsOf(value);
          value = replaced(value, paths[pick % paths.length]!, by);
        }
        return JSON.stringify(value);
      });
    const body = fc.oneof(mutated, anyJson.map((v) => JSON.stringify(v)), fc.string({ maxLength: 100 }));

    it(`${kit.channel}: answers 200 or a 4xx problem, never a 5xx`, async () => {
      await fc.assert(
        fc.asyncProperty(body, async (json) => {
          const request = await kit.signed(json);
          const res = await SELF.fetch(BASE + request.path, { method: request.method ?? "POST", headers: request.headers, body: request.body });
          await expectWellFormed(res, `${kit.channel} ${json.slice(0, 200)}`);
        }),
        { numRuns: RUNS },
      );
    });
  }
});
