import { SELF } from "cloudflare:test";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { JWT_SECRET, TEST_KEYS } from "../support/constants";

const BASE = "https://relay.test";

function call(path: string, init: RequestInit & { key?: string | null } = {}) {
  const headers = new Headers(init.headers);
  const key = init.key === undefined ? TEST_KEYS.acme : init.key;
  if (key !== null && !headers.has("authorization")) headers.set("authorization", `Bearer ${key}`);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return SELF.fetch(BASE + path, { ...init, headers });
}

async function problem(res: Response) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as { status: number; code: string; detail: string; errors?: { path: string; message: string }[] };
}

const chat = (body: unknown, key?: string | null) => call("/api/v7/chat", { method: "POST", body: JSON.stringify(body), key });

function jwt(claims: Record<string, unknown>, secret = JWT_SECRET, expiresIn = "5m") {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer("test-issuer")
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

describe("authentication", () => {
  it("refuses a request without credentials", async () => {
    const res = await chat({ id: "49123123456", message: "hi" }, null);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect((await problem(res)).code).toBe("missing_credentials");
  });

  it("refuses a wrong API key without echoing it", async () => {
    const res = await chat({ id: "49123123456", message: "hi" }, "not-a-key-at-all");
    expect(res.status).toBe(401);
    const body = await problem(res);
    expect(body.code).toBe("invalid_api_key");
    expect(JSON.stringify(body)).not.toContain("not-a-key-at-all");
  });

  it("accepts the key as X-API-Key too", async () => {
    const res = await call("/api/v7/chat", {
      method: "POST",
      key: null,
      headers: { "x-api-key": TEST_KEYS.acme },
      body: JSON.stringify({ id: "49123123456", message: "hi" }),
    });
    expect(res.status).toBe(202);
  });

  it("enforces scopes: a read-only key cannot send", async () => {
    const res = await chat({ id: "49123123456", message: "hi" }, TEST_KEYS.acmeReadOnly);
    expect(res.status).toBe(403);
    expect((await problem(res)).code).toBe("insufficient_scope");
  });

  it("accepts an HS256 JWT whose sub names the tenant and whose scope allows sending", async () => {
    const token = await jwt({ sub: "acme", scope: "messages:send messages:read" });
    const res = await chat({ id: "49123123456", message: "hi" }, token);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await call(`/v1/messages/${id}`, { key: token })).status).toBe(200);
  });

  it("refuses JWTs that are expired, wrongly signed, for an unknown tenant, or lack the scope", async () => {
    const cases = [
      [await jwt({ sub: "acme", scope: "messages:send" }, JWT_SECRET, "-1m"), 401, "invalid_token"],
      [await jwt({ sub: "acme", scope: "messages:send" }, "another-secret-0123456789abcdef0123456789"), 401, "invalid_token"],
      [await jwt({ sub: "initech", scope: "messages:send" }), 401, "invalid_token"],
      [await jwt({ sub: "acme", scope: "messages:read" }), 403, "insufficient_scope"],
    ] as const;
    for (const [token, status, code] of cases) {
      const res = await chat({ id: "49123123456", message: "hi" }, token);
      expect(res.status).toBe(status);
      expect((await problem(res)).code).toBe(code);
    }
  });
});

describe("tenant isolation", () => {
  it("never shows one tenant's message to another", async () => {
    const res = await chat({ id: "49123123456", message: "private" });
    const { id } = (await res.json()) as { id: string };
    const own = await call(`/v1/messages/${id}`);
    expect(own.status).toBe(200);
    const other = await call(`/v1/messages/${id}`, { key: TEST_KEYS.globex });
    expect(other.status).toBe(404);
    expect((await problem(other)).code).toBe("message_not_found");
  });

  it("never sends from another tenant's account", async () => {
    const res = await call("/v1/messages", {
      method: "POST",
      key: TEST_KEYS.globex,
      body: JSON.stringify({ to: "49123123456", account: "wa-acme", content: { type: "text", text: "spoof" } }),
    });
    expect(res.status).toBe(422);
    expect((await problem(res)).code).toBe("unknown_account");
  });

  it("answers 404 for forged and malformed message ids", async () => {
    for (const id of ["msg_" + "0".repeat(80), "msg_nope", "../../etc"]) {
      const res = await call(`/v1/messages/${encodeURIComponent(id)}`);
      expect(res.status).toBe(404);
    }
  });
});

describe("bad requests get a clear 4xx", () => {
  it("malformed JSON is 400 invalid_json", async () => {
    const res = await call("/api/v7/chat", { method: "POST", body: '{"id": "49123123456", "message": ' });
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe("invalid_json");
  });

  it("a wrong content type is 415", async () => {
    const res = await call("/api/v7/chat", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ id: "49123123456", message: "hi" }),
    });
    expect(res.status).toBe(415);
  });

  it("bad fields are 422 with the path of each", async () => {
    const res = await chat({ id: "", message: 42 });
    expect(res.status).toBe(422);
    const body = await problem(res);
    expect(body.code).toBe("validation_failed");
    expect([...new Set(body.errors?.map((e) => e.path))].sort()).toEqual(["id", "message"]);
  });

  it("an oversized body is 413", async () => {
    const res = await chat({ id: "49123123456", message: "x".repeat(70_000) });
    expect(res.status).toBe(413);
    expect((await problem(res)).code).toBe("body_too_large");
  });

  it("a recipient that is not a phone number is 422 invalid_recipient", async () => {
    const res = await chat({ id: "not-a-number", message: "hi" });
    expect(res.status).toBe(422);
    expect((await problem(res)).code).toBe("invalid_recipient");
  });

  it("validates unified content: a location out of range, a media URL that is not http(s)", async () => {
    const send = (content: unknown) =>
      call("/v1/messages", { method: "POST", body: JSON.stringify({ to: "49123123456", content }) });
    const loc = await send({ type: "location", latitude: 123, longitude: 0 });
    expect(loc.status).toBe(422);
    expect((await problem(loc)).errors?.[0]?.path).toBe("content.latitude");
    const media = await send({ type: "image", url: "file:///etc/passwd" });
    expect(media.status).toBe(422);
    const unknown = await send({ type: "hologram" });
    expect(unknown.status).toBe(422);
  });

  it("accepts every content kind of the unified model", async () => {
    const contents = [
      { type: "text", text: "hi", previewUrl: true },
      { type: "image", url: "https://example.com/a.jpg", caption: "A" },
      { type: "audio", url: "https://example.com/a.ogg" },
      { type: "video", url: "https://example.com/a.mp4" },
      { type: "document", url: "https://example.com/a.pdf", filename: "a.pdf", caption: "Invoice" },
      { type: "location", latitude: 52.5, longitude: 13.4, name: "Berlin" },
      { type: "template", name: "order_update", language: "en", parameters: ["Ada", { type: "text", text: "42" }] },
    ];
    for (const content of contents) {
      const res = await call("/v1/messages", {
        method: "POST",
        body: JSON.stringify({ to: "+49 123 123456", content, reference: "order-42" }),
      });
      expect(res.status, content.type).toBe(202);
      const body = (await res.json()) as { conversation: { peer: string } };
      expect(body.conversation.peer).toBe("49123123456");
    }
  });

  it("unknown routes are problem+json 404s", async () => {
    const res = await call("/v2/nothing");
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe("not_found");
  });
});
