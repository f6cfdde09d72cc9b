/**
 * The OpenAPI document and the reference page: every route of the app is documented and nothing else,
 * the schemas that matter say what the routes enforce, and the page shows every operation, escaped.
 * The Worker serves src/openapi/openapi.json, built from the zod schemas by `npm run openapi`; `npm test`
 * also checks that file against the schemas and validates it against the OpenAPI 3.1 schema, in Node
 * (scripts/openapi.mjs --check).
 */
import { SELF } from "cloudflare:test";
import { inspectRoutes } from "hono/dev";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type { ApiKey, DeadLetter, Endpoint, IssuedApiKey, Tenant } from "../../src/api/schemas";
import type { Me, Stats } from "../../src/api/console-schemas";
import type { Principal } from "../../src/auth/authenticate";
import type { Scope } from "../../src/config/schema";
import type { Stats as MergedStats } from "../../src/delivery/stats";
import { buildApp } from "../../src/app";
import { SCOPES } from "../../src/config/schema";
import type { DeadLetter as StoredDeadLetter } from "../../src/delivery/endpoint-store";
import { buildDocument } from "../../scripts/openapi-build";
import type { OpenApiDocument } from "../../src/openapi/document";
import type { RegistryApiKey, RegistryEndpoint, RegistryTenant } from "../../src/registry/records";

const BASE = "https://relay.test";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/**
 * Routes registered with `all` take every method; these are the methods platforms use on them.
 * `/webhooks/{channel}/{accountId}`: Meta's handshake (GET) and every platform's events (POST);
 * below it, only events (Apple posts to `<URL>/message`). Any other `all` route fails the test until
 * it is listed here and documented.
 */
const ALL_METHOD_ROUTES: Record<string, string[]> = {
  "/webhooks/{channel}/{accountId}": ["GET", "POST"],
  "/webhooks/{channel}/{accountId}/{subpath}": ["POST"],
};

/** Hono's `/v1/messages/:id` and `/x/*` in OpenAPI's form: `/v1/messages/{id}`, `/x/{subpath}`. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}").replace(/\/\*$/, "/{subpath}");

async function fetchDocument(): Promise<OpenApiDocument> {
  const res = await SELF.fetch(`${BASE}/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return (await res.json()) as OpenApiDocument;
}

const operations = (doc: OpenApiDocument) =>
  Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item[method] ? [{ method, path, op: item[method] }] : [])),
  );

describe("GET /openapi.json", () => {
  it("is the document the zod schemas give (npm run openapi writes it)", async () => {
    const { servers, ...served } = await fetchDocument();
    expect(servers).toEqual([{ url: BASE }]);
    expect(served, "src/openapi/openapi.json is stale: run npm run openapi").toEqual(JSON.parse(JSON.stringify(buildDocument())));
  });

  it("is OpenAPI 3.1 with the origin it was asked at as its server", async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.servers).toEqual([{ url: BASE }]);
    const other = (await (await SELF.fetch("https://relay.example.org/openapi.json")).json()) as OpenApiDocument;
    expect(other.servers).toEqual([{ url: "https://relay.example.org" }]);
  });

  it("documents exactly the app's routes", async () => {
    const registered = new Set(
      inspectRoutes(buildApp())
        // Middleware (`use`, and the middleware before a handler) is not a route of its own.
        .filter((r) => !r.isMiddleware)
        .flatMap((r) => {
          const path = openApiPath(r.path);
          if (r.method !== "ALL") return [`${r.method} ${path}`];
          return ALL_METHOD_ROUTES[path]?.map((m) => `${m} ${path}`) ?? [`ALL ${path}`];
        }),
    );
    const documented = operations(await fetchDocument()).map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(documented.length).toBe(new Set(documented).size);
    expect([...documented].sort(), "operations in src/openapi/*operations.ts (received) vs routes of the app (expected)").toEqual([...registered].sort());
  });

  it("names every path variable as a path parameter", async () => {
    for (const { path, op } of operations(await fetchDocument())) {
      const variables = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const params = (op.parameters ?? []).flatMap((p) => ("in" in p && p.in === "path" ? [p.name] : []));
      expect(params.sort(), path).toEqual(variables.sort());
    }
  });

  it("describes sends as the routes validate and answer them", async () => {
    const doc = await fetchDocument();
    const send = doc.paths!["/v1/messages"]!.post!;
    const body = send.requestBody as { content: Record<string, { schema: { $ref: string } }> };
    const name = body.content["application/json"]!.schema.$ref.split("/").pop()!;
    const request = doc.components!.schemas![name] as { required: string[]; properties: Record<string, unknown> };
    expect(request.required).toEqual(expect.arrayContaining(["to", "content"]));
    expect(request.required).not.toContain("account");
    expect(Object.keys(send.responses!)).toEqual(expect.arrayContaining(["202", "422"]));
    const invalid = send.responses!["422"] as { description: string; content: Record<string, { schema: { $ref: string } }> };
    expect(invalid.content["application/problem+json"]!.schema.$ref).toBe("#/components/schemas/Problem");
    expect(invalid.description).toContain("validation_failed");
    const problem = doc.components!.schemas!.Problem as { properties: Record<string, unknown> };
    expect(Object.keys(problem.properties)).toEqual(expect.arrayContaining(["type", "title", "status", "detail", "code", "errors"]));
  });

  it("names the scope of every client route, and no credential for webhooks", async () => {
    for (const { path, op } of operations(await fetchDocument())) {
      const scope = (op as { "x-required-scope"?: string })["x-required-scope"];
      // Any client credential: no scope to name.
      if (path === "/v1/me") {
        expect(scope).toBeUndefined();
        expect(op.security).toEqual([{ bearer: [] }, { apiKeyHeader: [] }, { operator: [], actingTenant: [] }]);
        continue;
      }
      if (path.startsWith("/v1/") && !path.startsWith("/v1/media/")) {
        expect(SCOPES, path).toContain(scope);
        expect(op.description, path).toContain(`\`${scope}\``);
        expect(op.security, path).toContainEqual({ bearer: [scope] });
        // An operator acts on every client route with X-Relay-Tenant.
        expect(op.security, path).toContainEqual({ operator: [], actingTenant: [] });
      }
      if (path.startsWith("/admin/v1/")) expect(op.security, path).toEqual([{ operator: [] }]);
      if (path.startsWith("/webhooks/")) expect(op.security, path).toEqual([]);
    }
  });

  it("has response schemas that are exactly what the routes answer", () => {
    // Checked by the type checker (npm test runs tsc over the tests): a field added to what a route
    // returns, and not to its schema, fails here.
    expectTypeOf<z.infer<typeof Tenant>>().toEqualTypeOf<RegistryTenant>();
    expectTypeOf<z.infer<typeof ApiKey>>().toEqualTypeOf<RegistryApiKey>();
    expectTypeOf<z.infer<typeof IssuedApiKey>>().branded.toEqualTypeOf<RegistryApiKey & { key: string }>();
    expectTypeOf<z.infer<typeof DeadLetter>>().branded.toEqualTypeOf<StoredDeadLetter & { endpoint?: string }>();
    expectTypeOf<z.infer<typeof Endpoint>>().toEqualTypeOf<RegistryEndpoint>();
    expectTypeOf<z.infer<typeof Stats>>().branded.toEqualTypeOf<MergedStats>();
    expectTypeOf<z.infer<typeof Me>>().branded.toEqualTypeOf<Omit<Principal, "keyId" | "scopes"> & { scopes: Scope[] }>();
  });
});

describe("GET /docs", () => {
  it("lists every operation in a page that loads nothing", async () => {
    const doc = await fetchDocument();
    const res = await SELF.fetch(`${BASE}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const html = await res.text();
    for (const { method, path, op } of operations(doc)) {
      expect(html, `${method} ${path}`).toContain(`<span class="m ${method}">${method.toUpperCase()}</span> <code>${path}</code>`);
      expect(html).toContain(`id="op-${op.operationId}"`);
    }
    expect(html).toMatch(/<main>/);
    expect(html).not.toMatch(/<script|<link|src=/i);
  });

  it("escapes what it shows from the document", async () => {
    const html = await (await SELF.fetch(`${BASE}/docs`)).text();
    // The bearer scheme's description: `Authorization: Bearer <API key or JWT>`.
    expect(html).toContain("Bearer &lt;API key or JWT&gt;");
    expect(html).not.toContain("<API key");
    expect(html).toContain("the seed&#39;s shape");
  });
});
